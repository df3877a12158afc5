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
// diverged into an --out without a finished run: its losses). The protocol (manifest, lock,
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
	*interrupt.RunDir
	flag, path string // the flag that named it and its value as typed
}

// openRunDir takes the run folder out (interrupt.OpenRunDir) for the
// command under way, saying on stderr which leftovers of killed runs were
// kept (they hold files bbb did not write). Its errors are usage errors,
// and they and Commit's name flagName and out as typed.
func openRunDir(flagName, out string) (*runDir, error) {
	d, err := interrupt.OpenRunDir(out, runCommand, func(kept string) { fmt.Fprintf(os.Stderr, "bbb: %s\n", kept) })
	if err != nil {
		return nil, usagef("%s %s: %v", flagName, rundir.ShowLink(out), err)
	}
	d.Name = func() string { return flagName + " " + rundir.ShowLink(out) }
	return &runDir{RunDir: d, flag: flagName, path: out}, nil
}

// commitOut commits in the stage "replacing --out" (an interrupt from
// here on keeps the previous run: interrupt.RunDir.CommitStage, with what
// its Prepare writes) and marks the outputs written.
func (rd *runDir) commitOut(ctx context.Context) error {
	if err := rd.CommitStage(ctx, "replacing "+rd.flag); err != nil {
		return err
	}
	markWritten(ctx, rd.flag+" "+rd.path)
	return nil
}

// written names the outputs a command has put in place whole, its last
// step (commitOut, predict's --out): a signal after it stops nothing, and
// the command exits 0 saying so (run), not 130 for a run that is complete.
var written string

// markWritten records that the outputs named what are in place, and
// enters the stage "written" (where a test may signal).
func markWritten(ctx context.Context, what string) {
	written = what
	_ = interrupt.EnterStage(ctx, "written") // (nothing is left to stop)
}

// Abort removes the staged run: --out keeps the previous run.
func (rd *runDir) Abort() {
	if rd != nil {
		rd.RunDir.Abort()
	}
}
