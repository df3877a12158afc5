package sweep

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/viz"
)

// ReportOptions say what Report ranks and draws. Metric is required; the
// rest may be zero.
type ReportOptions struct {
	Metric   string // the summary.json number that ranks the points and the figure draws (bbb uses val_nlpd)
	Maximize bool   // the best point has the highest Metric (default: the lowest)
	X, By    string // the figure's axis and lines (FigureAxes; "": the first lists of more than one value)
	Format   string // the figure's format: png (""), svg or pdf
	// Ended, if not nil, gives the reason a point's task ended before it
	// finished (Result.Ended, EndedReason): see Collect.
	Ended func(Point, Status) string
}

// MetricError is a Metric that no summary holds, though some hold others:
// nothing can be ranked or drawn.
type MetricError struct {
	Metric string
	Have   []string // the numbers the summaries hold, sorted
}

func (e *MetricError) Error() string {
	return fmt.Sprintf("--metric %s: not in the summaries (they hold %s)", e.Metric, strings.Join(e.Have, ", "))
}

// IncompleteError is a sweep with points that failed or have not run:
// the next sweep into Dir runs them again.
type IncompleteError struct {
	Dir         string
	Bad, Points int
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("sweep: %d of %d points did not finish (the next sweep into %s runs them again)", e.Bad, e.Points, e.Dir)
}

// Report collects the sweep in dir (Collect), writes DIR/sweep.csv and
// the figure DIR/sweep.FORMAT, and prints to w the table's path, each
// point that did not finish, and the best point with its `bbb train`
// command line. It returns the rows, and an *IncompleteError if a point
// failed or has not run; a *MetricError, before anything is written, if
// no summary holds Metric.
func Report(w io.Writer, dir string, plan *Plan, o ReportOptions) ([]Row, error) {
	format := o.Format
	if format == "" {
		format = "png"
	}
	rows := Collect(dir, plan, o.Ended)
	if ms := Metrics(rows); len(ms) > 0 && !slices.Contains(ms, o.Metric) {
		return rows, &MetricError{Metric: o.Metric, Have: ms} // (before any file is written)
	}
	if err := WriteCSV(dir, plan, rows); err != nil {
		return rows, err
	}
	fmt.Fprintf(w, "wrote %s (%s)\n", filepath.Join(dir, CSVFile), Summary(rows))
	bad := 0
	for _, r := range rows {
		if r.Status.State != StateOK {
			bad++
			fmt.Fprintln(w, r.Status.State+" "+r.Point.Name+r.Status.note())
		}
	}
	best, drawn := Best(rows, o.Metric, o.Maximize)
	x, by, axes, _ := FigureAxes(plan, o.X, o.By)
	figure := ""
	if drawn && axes {
		figure = filepath.Join(dir, "sweep."+format)
	}
	// (first: a figure that cannot be removed leaves no new one beside it)
	if err := removeOldFigures(dir, figure); err != nil {
		return rows, err
	}
	if drawn {
		spread := fmt.Sprintf(" ± %.3g (sd over %d seeds)", best.Std, len(best.Points))
		if len(best.Points) == 1 {
			spread = " (one seed)"
		}
		fmt.Fprintf(w, "best %s %.6g%s: %s\n  bbb train %s\n", o.Metric, best.Mean, spread, best.Key,
			strings.Join(best.Points[0].TrainArgs(dir), " "))
	}
	if figure != "" {
		if err := viz.Sweep(figure, Figure(plan, rows, o.Metric, x, by, o.Maximize)); err != nil {
			return rows, err
		}
		fmt.Fprintf(w, "wrote %s\n", figure)
	}
	if bad > 0 {
		return rows, &IncompleteError{Dir: dir, Bad: bad, Points: len(rows)}
	}
	return rows, nil
}

// figureFormats are the formats of the sweep's figure (ReportOptions.Format).
var figureFormats = []string{"png", "svg", "pdf"}

// removeOldFigures removes the figures of an earlier collect but kept (in
// another format, or one this collect did not draw): they would not match
// sweep.csv.
func removeOldFigures(dir, kept string) error {
	var first error
	for _, f := range figureFormats {
		if p := filepath.Join(dir, "sweep."+f); p != kept {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
				first = err // (the others are still removed)
			}
		}
	}
	if first != nil {
		_ = os.Remove(kept) // (it will not be redrawn: as stale as the others)
		return fmt.Errorf("sweep: an earlier collect's figure cannot be removed: %w", first)
	}
	return nil
}
