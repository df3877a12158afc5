//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package atomicio

import (
	"os"

	"golang.org/x/sys/unix"
)

// The systems with flock(2) and kill(pid, 0): a temporary file is locked
// while it is written, and a leftover is one whose process is gone and
// whose lock is free.

// holdLock takes f's exclusive flock, kept until f is closed. (It cannot
// fail on a new file of our own; a failure only lets a concurrent clean-up
// see the file as free, and that clean-up first needs our process gone.)
func holdLock(f *os.File) {
	unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
}

// tryLock reports whether f's exclusive flock was free (and takes it). A
// file that could not be opened gives descriptor -1, whose flock fails.
func tryLock(f *os.File) bool {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil
}

// processGone reports whether no process has the id pid.
func processGone(pid int) bool { return unix.Kill(pid, 0) == unix.ESRCH }
