package main

import (
	"flag"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/rundir"
)

// dataFlags choose the user's data (train --data) instead of the seed's
// curve: job.DataSettings' flags.
type dataFlags struct{ job.DataSettings }

func (d *dataFlags) register(fs *flag.FlagSet) {
	settingflag.Define(fs, &d.DataSettings)
}

// load reads the files (nil if --data is not set: job.DataSettings);
// every problem is a usage error naming the flag or file:line:column.
// (Its flags without --data, and --val-split with --val: flagdeps.go.)
func (d *dataFlags) load(seed uint64) (*data.Fitted, error) {
	if d.Data == "" {
		return nil, nil
	}
	if err := d.Check(); err != nil {
		return nil, flagError(err)
	}
	if d.Val != "" && rundir.SameFile(d.Data, d.Val) {
		// Validating on the training rows makes validation meaningless.
		return nil, usagef("--val %s: is the --data file %s; give a separate validation file (or leave --val out to hold out --val-split of --data)", d.Val, d.Data)
	}
	fitted, err := d.Load(seed)
	return fitted, flagError(err)
}
