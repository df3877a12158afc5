package main

import (
	"errors"
	"flag"
	"os"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
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

// csvRun is a CSV data set as a run uses it: in the data's units (raw),
// standardised with the scaler fit on its training rows (scaled), and the
// column names.
type csvRun struct {
	raw, scaled data.Set
	scaler      data.Scaler
	table       data.Table // names only
}

// load reads the files (nil if --data is not set); every problem is a
// usage error naming the flag or file:line:column.
// (Its flags without --data, and --val-split with --val: flagdeps.go.)
func (d *dataFlags) load(seed uint64) (*csvRun, error) {
	if d.data == "" {
		return nil, nil
	}
	if !(d.valSplit > 0 && d.valSplit < 1) {
		return nil, usagef("--val-split %v: need 0 < f < 1", d.valSplit)
	}
	if d.val != "" && sameInput(d.data, d.val) {
		// Validating on the training rows makes validation meaningless.
		return nil, usagef("--val %s: is the --data file %s; give a separate validation file (or leave --val out to hold out --val-split of --data)", d.val, d.data)
	}
	cols := data.CSVColumns{YCol: strings.TrimSpace(d.yCol)}
	if d.xCols != "" {
		for _, c := range strings.Split(d.xCols, ",") {
			if c = strings.TrimSpace(c); c == "" {
				return nil, usagef("--x-cols %q: empty column name in the list", d.xCols)
			}
			if slices.Contains(cols.XCols, c) {
				return nil, usagef("--x-cols %q: column %q is listed twice (each input once)", d.xCols, c)
			}
			cols.XCols = append(cols.XCols, c)
		}
	}
	raw, tab, err := data.LoadCSV(data.CSVData{Train: d.data, Val: d.val, ValFraction: d.valSplit, Columns: cols}, seed)
	if err != nil {
		flagName := "--data"
		var ce *data.CSVError
		if errors.As(err, &ce) && ce.File == d.val && d.val != "" {
			flagName = "--val"
		}
		return nil, usagef("%s: %v", flagName, err)
	}
	sc := data.FitScaler(raw.Train)
	if err := sc.Validate(len(tab.XNames)); err != nil {
		// (not reached: LoadCSV bounds the values so that it cannot overflow)
		return nil, usagef("--data %s: the training rows cannot be standardised (%v): rescale the columns", d.data, err)
	}
	// (LoadCSV has bounded every value: data.MaxCSVValue, data.MaxStandardScore.)
	scaled := data.Set{Train: sc.Apply(raw.Train), Val: sc.Apply(raw.Val)}
	return &csvRun{
		raw:    raw,
		scaled: scaled,
		scaler: sc, table: tab,
	}, nil
}

// sameInput reports whether paths a and b name one existing file, however
// spelt (./x and x, through a symbolic link, a hard link).
func sameInput(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// inputs is the number of input columns.
func (c *csvRun) inputs() int { return len(c.table.XNames) }

// figure is one file of a run's figures.
type figure = struct {
	name string
	draw func(path string) error
}

// observedFigures are the figures of a run with several inputs: predicted
// against observed targets for each split, and the losses.
func observedFigures(c *csvRun, ext string, val, tr train.Bands, skipTrain bool, losses figure) []figure {
	obs := func(title string, s data.Split, b train.Bands) func(string) error {
		return func(p string) error {
			return viz.Observed(p, viz.ObservedFigure{Title: title, Observed: s.Y, Mean: b.Mean, Q05: b.Q05, Q95: b.Q95,
				XLabel: "observed " + c.table.YName, YLabel: "predicted " + c.table.YName + " (mean, 5-95% interval)"})
		}
	}
	figs := []figure{{"observed_val" + ext, obs("Predicted vs observed (validation data)", c.raw.Val, val)}, losses}
	if !skipTrain {
		figs = append(figs, figure{"observed_train" + ext, obs("Predicted vs observed (training data)", c.raw.Train, tr)})
	}
	return figs
}

// thin keeps every k-th value so that at most viz.MaxPoints are drawn
// (figures stay fast at any data size); nil stays nil.
func thin(v []float64) []float64 {
	k := (len(v) + viz.MaxPoints - 1) / viz.MaxPoints
	if k <= 1 {
		return v
	}
	out := make([]float64, 0, len(v)/k+1)
	for i := 0; i < len(v); i += k {
		out = append(out, v[i])
	}
	return out
}
