package interrupt

import (
	"context"

	"github.com/bbb-go/bbb/rundir"
)

// RunDir is a run folder (rundir.Dir) that a hard stop removes: OpenRunDir
// gives its Abort to OnHardStop, and Commit and Abort take it back.
type RunDir struct {
	*rundir.Dir
	warn func(kept string)
}

// OpenRunDir takes the run folder out (the folder out names, through a
// symbolic link: rundir.Target) for command (rundir.Open), so that a hard
// stop removes its stage. warn, if not nil, is told each leftover of a
// killed run that was kept because it holds files the run did not write
// (rundir.Dir.Kept), now and after Commit.
func OpenRunDir(out, command string, warn func(kept string)) (*RunDir, error) {
	d, err := rundir.Open(rundir.Target(out), command)
	if err != nil {
		return nil, err
	}
	r := &RunDir{Dir: d, warn: warn}
	r.warnKept()
	OnHardStop(d.Abort) // a forced exit: no deferred Abort runs
	return r, nil
}

// Commit puts the staged run in place of the folder (rundir.Dir.Commit).
func (r *RunDir) Commit() error {
	defer OnHardStop(nil)
	err := r.Dir.Commit()
	r.warnKept()
	return err
}

// CommitStage enters the stage named stage (EnterStage: an interrupt from
// here on keeps the previous run) and commits.
func (r *RunDir) CommitStage(ctx context.Context, stage string) error {
	if err := EnterStage(ctx, stage); err != nil {
		return err
	}
	return r.Commit()
}

// Abort removes the staged run: the folder keeps the previous run. A nil
// RunDir does nothing.
func (r *RunDir) Abort() {
	if r == nil {
		return
	}
	r.Dir.Abort()
	OnHardStop(nil)
}

func (r *RunDir) warnKept() {
	if r.warn != nil {
		for _, k := range r.Kept {
			r.warn(k)
		}
	}
	r.Kept = nil
}
