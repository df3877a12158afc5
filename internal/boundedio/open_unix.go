//go:build unix

package boundedio

import "syscall"

// openNonblock: opening a FIFO does not wait for a writer.
const openNonblock = syscall.O_NONBLOCK
