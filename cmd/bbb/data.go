package main

import (
	"flag"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/rundir"
)

// dataFlags choose the user's data (train --data) instead of the seed's curve.
type dataFlags struct {
	data, val, xCols, yCol string
	valSplit               float64
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", "", "training data: a CSV file with a header row (default: the seed's generated curve)")
	fs.StringVar(&d.val, "val", "", "validation data: a CSV file with the same columns (default: hold out --val-split of --data)")
	fs.Float64Var(&d.valSplit, "val-split", 0.2, "share of --data's rows held out for validation, drawn with --seed")
	fs.StringVar(&d.xCols, "x-cols", "", "comma-separated input columns of --data (default: every column but the target)")
	fs.StringVar(&d.yCol, "y-col", "", "the target column of --data (default: the last)")
}

// load reads the files (nil if --data is not set: job.DataSettings);
// every problem is a usage error naming the flag or file:line:column.
// (Its flags without --data, and --val-split with --val: flagdeps.go.)
func (d *dataFlags) load(seed uint64) (*data.Fitted, error) {
	if d.data == "" {
		return nil, nil
	}
	s := job.DataSettings{Data: d.data, Val: d.val, XCols: d.xCols, YCol: d.yCol, ValSplit: d.valSplit}
	if err := s.Check(); err != nil {
		return nil, flagError(err)
	}
	if d.val != "" && rundir.SameFile(d.data, d.val) {
		// Validating on the training rows makes validation meaningless.
		return nil, usagef("--val %s: is the --data file %s; give a separate validation file (or leave --val out to hold out --val-split of --data)", d.val, d.data)
	}
	fitted, err := s.Load(seed)
	return fitted, flagError(err)
}
