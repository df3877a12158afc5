//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package rundir

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// takeLock holds an exclusive flock on the lock file, refusing if another
// process has it. The file is removed at release, so the lock is retaken if
// the path no longer names the locked file.
func (d *Dir) takeLock() error {
	for range 10 {
		// (O_NOFOLLOW: a link planted at the lock's name would lock, and
		// create, whatever it names)
		f, err := os.OpenFile(d.lockPath, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o644)
		if errors.Is(err, unix.ELOOP) {
			return refusef("the lock %s is a symbolic link, which bbb never makes: remove it", d.lockPath)
		}
		if err != nil {
			return refusef("cannot create the lock %s: %v", d.lockPath, cause(err))
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return refusef("another bbb run is writing it (it holds %s); wait for it or pick another directory", d.lockPath)
			}
			return refusef("lock %s: %v", d.lockPath, err)
		}
		held, err1 := f.Stat()
		now, err2 := os.Lstat(d.lockPath)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			d.lock = f
			fmt.Fprintf(f, "%d\n", os.Getpid())
			return nil
		}
		f.Close() // removed by the run that held it: take the new one
	}
	return refusef("cannot take the lock %s", d.lockPath)
}
