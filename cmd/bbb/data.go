package main

import (
	"errors"
	"flag"
	"strings"

	"github.com/bbb-go/bbb/data"
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

// load reads the files (nil if --data is not set); every problem is a
// usage error naming the flag or file:line:column.
// (Its flags without --data, and --val-split with --val: flagdeps.go.)
func (d *dataFlags) load(seed uint64) (*data.Fitted, error) {
	if d.data == "" {
		return nil, nil
	}
	if !(d.valSplit > 0 && d.valSplit < 1) {
		return nil, usagef("--val-split %v: need 0 < f < 1", d.valSplit)
	}
	if d.val != "" && rundir.SameFile(d.data, d.val) {
		// Validating on the training rows makes validation meaningless.
		return nil, usagef("--val %s: is the --data file %s; give a separate validation file (or leave --val out to hold out --val-split of --data)", d.val, d.data)
	}
	cols := data.CSVColumns{YCol: strings.TrimSpace(d.yCol)}
	if d.xCols != "" {
		var err error
		if cols.XCols, err = data.ParseColumns(d.xCols); err != nil {
			return nil, usagef("--x-cols %q: %v", d.xCols, err)
		}
	}
	fitted, err := data.LoadFitted(data.CSVData{Train: d.data, Val: d.val, ValFraction: d.valSplit, Columns: cols}, seed)
	if se := (*data.ScaleError)(nil); errors.As(err, &se) {
		// (not reached: LoadCSV bounds the values so that it cannot overflow)
		return nil, usagef("--data %s: the training rows cannot be standardised (%v): rescale the columns", d.data, se.Err)
	}
	if err != nil {
		flagName := "--data"
		var ce *data.CSVError
		if errors.As(err, &ce) && ce.File == d.val && d.val != "" {
			flagName = "--val"
		}
		return nil, usagef("%s: %v", flagName, err)
	}
	// (LoadCSV has bounded every value: data.MaxCSVValue, data.MaxStandardScore.)
	return fitted, nil
}
