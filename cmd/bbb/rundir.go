package main

import (
	"fmt"
	"os"

	"github.com/bbb-go/bbb/rundir"
)

// A run's outputs are whole or absent, and bbb deletes only what it wrote:
// train, bench and prune write every file into a staging folder beside
// --out, which replaces --out in one rename when the run has finished (or
// diverged, which keeps its losses). The protocol (manifest, lock,
// carried subfolders, what the next run does after a kill -9) is package
// rundir's; docs/RUN-DIRECTORY.md describes it.

// runCommand is the command under way (run sets it): a run folder records
// it, and another command's run folder is refused.
var runCommand string

type runDir struct {
	*rundir.Dir
	flag, path string // the flag that named it and its value as typed, for errors
}

// openRunDir takes the run folder out (the folder out names, through a
// symbolic link) for the command under way. Errors are usage errors
// naming flagName and out as typed.
func openRunDir(flagName, out string) (*runDir, error) {
	d, err := rundir.Open(writeTarget(out), runCommand)
	if err != nil {
		return nil, runDirError(flagName, out, err)
	}
	rd := &runDir{Dir: d, flag: flagName, path: out}
	rd.warnKept()
	setHardExitCleanup(d.Abort) // a forced exit: no deferred Abort runs
	return rd, nil
}

// runDirError is a refusal of the run folder out as a usage error: it
// names what the user typed, and where that is a symbolic link, the
// folder it names too.
func runDirError(flagName, out string, err error) error {
	return usagef("%s %s: %v", flagName, linkShown(out), err)
}

// linkShown is path as typed, followed by " -> " and its target where it
// is a symbolic link.
func linkShown(path string) string {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return path
	}
	target := writeTarget(path)
	if target == path { // a link to nothing usable: what it says
		target, _ = os.Readlink(path)
	}
	return path + " -> " + target
}

// Commit puts the staged run in place of --out.
func (rd *runDir) Commit() error {
	defer setHardExitCleanup(nil)
	err := rd.Dir.Commit()
	rd.warnKept()
	if err != nil {
		return fmt.Errorf("%s %s: %w", rd.flag, linkShown(rd.path), err)
	}
	return nil
}

// Abort removes the staged run: --out keeps the previous run.
func (rd *runDir) Abort() {
	if rd == nil {
		return
	}
	rd.Dir.Abort()
	setHardExitCleanup(nil)
}

// warnKept says which leftovers of killed runs were kept (they hold files
// bbb did not write).
func (rd *runDir) warnKept() {
	for _, k := range rd.Kept {
		fmt.Fprintf(os.Stderr, "bbb: %s\n", k)
	}
	rd.Kept = nil
}
