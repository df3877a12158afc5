//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package rundir

import "os"

// takeLock creates the lock file; without flock here it does not exclude
// a second run.
func (d *Dir) takeLock() error {
	f, err := os.OpenFile(d.lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return refusef("cannot create the lock %s: %v", d.lockPath, cause(err))
	}
	d.lock = f
	return nil
}
