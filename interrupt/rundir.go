package interrupt

import (
	"context"
	"fmt"

	"github.com/bbb-go/bbb/rundir"
)

// RunDir is a run folder (rundir.Dir) that a hard stop removes: OpenRunDir
// gives its Abort to OnHardStop, and Commit and Abort take it back.
type RunDir struct {
	*rundir.Dir
	// Name, if not nil, names the folder in Commit's errors ("--out out"),
	// asked when the error happens (a link may point elsewhere by then).
	Name func() string
	// Prepare, if not nil, writes what belongs with the run but lies
	// outside the folder (a model file saved elsewhere) to a temporary
	// file before CommitStage puts the run in place, and returns its
	// rename, for after, and the removal of the temporary file, run
	// whether or not the rename was (either may be nil).
	Prepare func() (commit func() error, abort func(), err error)
	warn    func(kept string)
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
	if err != nil && r.Name != nil {
		return fmt.Errorf("%s: %w", r.Name(), err)
	}
	return err
}

// CommitStage enters the stage named stage (EnterStage: an interrupt from
// here on keeps the previous run), writes what Prepare writes, commits,
// and then puts Prepare's file in place.
func (r *RunDir) CommitStage(ctx context.Context, stage string) error {
	if err := EnterStage(ctx, stage); err != nil {
		return err
	}
	var commit func() error
	if r.Prepare != nil {
		var abort func()
		var err error
		if commit, abort, err = r.Prepare(); err != nil {
			return err
		}
		if abort != nil {
			defer abort() // (after commit: nothing)
		}
	}
	if err := r.Commit(); err != nil {
		return err
	}
	if commit != nil {
		return commit()
	}
	return nil
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
