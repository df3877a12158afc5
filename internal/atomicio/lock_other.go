//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package atomicio

import "os"

// Systems without flock(2) (Windows among them): a temporary file is not
// locked, and whether its process is gone is not asked, so no file is ever
// proved a leftover. A killed write's temporary file stays until it is
// removed by hand; a live writer's file is never taken. The writes stay
// whole-or-absent: that is the rename's doing, not the lock's.

// holdLock does nothing here.
func holdLock(*os.File) {}

// tryLock reports false: without flock no file is known to be free.
func tryLock(*os.File) bool { return false }

// processGone reports false: a file's writer is taken to be alive.
func processGone(int) bool { return false }
