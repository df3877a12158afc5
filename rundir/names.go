package rundir

// sideName is the name of a file or folder the protocol keeps beside the
// run folder base: sideName(base, "lock"), and the prefixes
// sideName(base, "stage-") and sideName(base, "old-") to which a random
// suffix is added. Every side name is derived here and only here.
func sideName(base, kind string) string {
	return "." + base + ".bbb-" + kind
}
