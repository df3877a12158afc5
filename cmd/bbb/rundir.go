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
	flag string // the flag that named it, for errors
}

// openRunDir takes the run folder out for the command under way. Errors
// are usage errors naming flagName.
func openRunDir(flagName, out string) (*runDir, error) {
	d, err := rundir.Open(out, runCommand)
	if err != nil {
		return nil, usagef("%s %s: %v", flagName, out, err)
	}
	rd := &runDir{Dir: d, flag: flagName}
	rd.warnKept()
	setHardExitCleanup(d.Abort) // a forced exit: no deferred Abort runs
	return rd, nil
}

// Commit puts the staged run in place of --out.
func (rd *runDir) Commit() error {
	defer setHardExitCleanup(nil)
	err := rd.Dir.Commit()
	rd.warnKept()
	if err != nil {
		return fmt.Errorf("%s %s: %w", rd.flag, rd.Out, err)
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
