//go:build !unix

package boundedio

const openNonblock = 0
