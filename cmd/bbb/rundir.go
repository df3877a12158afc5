package main

import (
	"context"
	"fmt"
	"os"

	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/rundir"
)

// A run's outputs are whole or absent, and bbb deletes only what it wrote:
// train, bench and prune write every file into a staging folder beside
// --out, which replaces --out in one rename when the run has finished (or
// diverged, which keeps its losses). The protocol (manifest, lock,
// carried subfolders, what the next run does after a kill -9) and the
// check of a command's paths (rundir.Plan) are package rundir's;
// docs/RUN-DIRECTORY.md describes them.

// runCommand is the command under way (run sets it): a run folder records
// it, and another command's run folder is refused.
var runCommand string

// newPlan is an empty list of the paths of the command under way.
func newPlan() *rundir.Plan { return &rundir.Plan{Command: runCommand} }

// checkPlan checks a command's paths before any work (rundir.Plan.Check):
// a refusal is a usage error (exit 2), its text as is.
func checkPlan(p *rundir.Plan) error {
	if err := p.Check(); err != nil {
		return usagef("%v", err)
	}
	return nil
}

type runDir struct {
	*rundir.Dir
	flag, path string // the flag that named it and its value as typed, for errors
}

// openRunDir takes the run folder out (the folder out names, through a
// symbolic link) for the command under way. Errors are usage errors
// naming flagName and out as typed.
func openRunDir(flagName, out string) (*runDir, error) {
	d, err := rundir.Open(rundir.Target(out), runCommand)
	if err != nil {
		return nil, usagef("%s %s: %v", flagName, rundir.ShowLink(out), err)
	}
	rd := &runDir{Dir: d, flag: flagName, path: out}
	rd.warnKept()
	interrupt.OnHardStop(d.Abort) // a forced exit: no deferred Abort runs
	return rd, nil
}

// Commit puts the staged run in place of --out.
func (rd *runDir) Commit() error {
	defer interrupt.OnHardStop(nil)
	err := rd.Dir.Commit()
	rd.warnKept()
	if err != nil {
		return fmt.Errorf("%s %s: %w", rd.flag, rundir.ShowLink(rd.path), err)
	}
	return nil
}

// commitOut enters the stage "replacing --out" (an interrupt from here on
// keeps the previous run) and commits.
func (rd *runDir) commitOut(ctx context.Context) error {
	if err := interrupt.EnterStage(ctx, "replacing "+rd.flag); err != nil {
		return err
	}
	return rd.Commit()
}

// Abort removes the staged run: --out keeps the previous run.
func (rd *runDir) Abort() {
	if rd == nil {
		return
	}
	rd.Dir.Abort()
	interrupt.OnHardStop(nil)
}

// warnKept says which leftovers of killed runs were kept (they hold files
// bbb did not write).
func (rd *runDir) warnKept() {
	for _, k := range rd.Kept {
		fmt.Fprintf(os.Stderr, "bbb: %s\n", k)
	}
	rd.Kept = nil
}

// absPath and sameFile are rundir's (model.go and train.go call them).
var absPath, sameFile = rundir.AbsPath, rundir.SameFile
