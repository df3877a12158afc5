package rundir

// Lock takes the lock that Open takes for out (the flock on .NAME.bbb-lock
// beside it) without opening out as a run: a command that writes into a
// folder over a long time, point by point (bbb sweep), holds it, so that
// a second such command, or a run into the same folder, is refused (an
// *Error, as Open's). unlock releases it; a lock file a killed process
// left is taken over.
func Lock(out string) (unlock func(), err error) {
	d, err := newDir(out)
	if err != nil {
		return nil, err
	}
	if err := d.takeLock(); err != nil {
		return nil, err
	}
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.release()
	}, nil
}
