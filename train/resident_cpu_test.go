//go:build !cuda

package train

// On the CPU the resident and host trainers run the same arithmetic.
const residentTol = 1e-9
