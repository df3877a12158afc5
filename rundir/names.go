package rundir

import "github.com/bbb-go/bbb/internal/atomicio"

// sideName is the name of a file or folder the protocol keeps beside the
// run folder base: sideName(base, "lock"), and the prefixes
// sideName(base, "stage-") and sideName(base, "old-") to which a random
// suffix is added. Every side name is derived here and only here; a long
// base is cut with a hash of it (atomicio.SideName), so that every side
// name fits NAME_MAX.
func sideName(base, kind string) string {
	return atomicio.SideName(base, "bbb-"+kind)
}
