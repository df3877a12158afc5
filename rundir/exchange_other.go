//go:build !linux

package rundir

import "errors"

// exchange has no atomic form here: the caller renames twice.
func exchange(a, b string) error { return errors.ErrUnsupported }
