//go:build unix

package modelfile

import "syscall"

// mkfifo makes a named pipe (the tests' file that never ends).
func mkfifo(path string, mode uint32) error { return syscall.Mkfifo(path, mode) }
