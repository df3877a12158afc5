package sweep

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// Row is one point's outcome.
type Row struct {
	Point   Point
	Status  Status
	Metrics map[string]float64 // every number at the top of summary.json
}

// CSVFile is the table's name in the sweep folder.
const CSVFile = "sweep.csv"

// Collect reads every point's status and summary. A point whose run
// folder holds a summary is ok whatever its status file says, unless the
// status records that run's flags (Status.RunArgs) and they are not the
// point's: then it failed. For any
// other, ended (if not nil) may give the reason its task ended (a Slurm
// task killed or timed out, which could not record it): the point is
// failed with that reason, before the one it recorded.
func Collect(dir string, plan *Plan, ended func(Point, Status) string) []Row {
	rows := make([]Row, len(plan.Points))
	for i, p := range plan.Points {
		st, ok := ReadStatus(dir, p)
		if !ok {
			st = Status{State: StateNotRun}
		}
		st.Log = LogPath(dir, p) // (here, not where the status was written: the folder may have moved)
		if fi, err := os.Stat(st.Log); err != nil || !fi.Mode().IsRegular() {
			st.Log = "" // (not run, or its log removed)
		}
		row := Row{Point: p, Metrics: map[string]float64{}}
		s := summary(dir, p)
		if s != nil && st.RunArgs != nil && !equal(st.RunArgs, p.Args) {
			why := "its run folder holds the run of other flags (" + strings.Join(st.RunArgs, " ") + "): the grid changed since; run the sweep again"
			if st.Reason != "" {
				why += "; the last attempt: " + st.Reason
			}
			st.State, st.Reason = StateFailed, why
		} else if s != nil {
			st.State, st.Reason = StateOK, ""
			for k, v := range s {
				if f, ok := v.(float64); ok {
					row.Metrics[k] = f
				}
			}
		} else if st.State == StateOK {
			st.State, st.Reason = StateFailed, "its run folder holds no summary.json"
		} else if ended != nil {
			if why := ended(p, st); why != "" {
				if st.Reason != "" {
					why += ": " + st.Reason
				}
				st.State, st.Reason = StateFailed, why
			}
		}
		row.Status = st
		rows[i] = row
	}
	return rows
}

// WriteCSV writes DIR/sweep.csv atomically: the point, its state, the
// reason it failed, its wall time, its flags (columns --flag, grid order)
// and its summary's numbers (sorted by name; empty where a point has none).
func WriteCSV(dir string, plan *Plan, rows []Row) error {
	flags := append(append([]string(nil), plan.Axes...), plan.Fixed...)
	metricSet := map[string]bool{}
	for _, r := range rows {
		for k := range r.Metrics {
			metricSet[k] = true
		}
	}
	metrics := slices.Sorted(maps.Keys(metricSet))
	return atomicio.WriteFile(filepath.Join(dir, CSVFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		header := []string{"point", "status", "reason", "wall_seconds", "threads", "log"}
		for _, f := range flags {
			header = append(header, "--"+f) // (a flag's column apart from the summary's number of the same name)
		}
		if err := cw.Write(append(header, metrics...)); err != nil {
			return err
		}
		for _, r := range rows {
			rec := []string{r.Point.Name, r.Status.State, r.Status.Reason, fmtFloat(r.Status.WallSeconds), strconv.Itoa(r.Status.Threads), logColumn(dir, r.Status.Log)}
			for _, f := range flags {
				rec = append(rec, r.Point.Values[f])
			}
			for _, m := range metrics {
				v, ok := r.Metrics[m]
				if !ok {
					rec = append(rec, "")
					continue
				}
				rec = append(rec, fmtFloat(v))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Group is the points that differ only in their seed.
type Group struct {
	Key       string  // the non-seed flags, k=v joined by space
	Points    []Point // those with the metric, in plan order
	Mean, Std float64 // of the metric over the seeds (Std 0 for one seed)
}

// Groups gathers the rows that have metric into groups over seeds, in
// plan order.
func Groups(rows []Row, metric string) []Group {
	index := map[string]int{}
	var groups []Group
	var values [][]float64
	for _, r := range rows {
		v, ok := r.Metrics[metric]
		if !ok || math.IsNaN(v) {
			continue
		}
		key := groupKey(r.Point)
		i, seen := index[key]
		if !seen {
			i = len(groups)
			index[key] = i
			groups = append(groups, Group{Key: key})
			values = append(values, nil)
		}
		groups[i].Points = append(groups[i].Points, r.Point)
		values[i] = append(values[i], v)
	}
	for i, vs := range values {
		groups[i].Mean, groups[i].Std = meanStd(vs)
	}
	return groups
}

func groupKey(p Point) string {
	var parts []string
	for _, a := range p.Args {
		if !strings.HasPrefix(a, "--"+seedFlag+"=") {
			parts = append(parts, a)
		}
	}
	return strings.Join(parts, " ")
}

func meanStd(vs []float64) (mean, std float64) {
	for _, v := range vs {
		mean += v
	}
	mean /= float64(len(vs))
	if len(vs) < 2 {
		return mean, 0
	}
	for _, v := range vs {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(vs)-1))
}

// Best is the group with the lowest (or, with maximize, highest) mean of
// metric; ok is false when no point has it.
func Best(rows []Row, metric string, maximize bool) (best Group, ok bool) {
	for _, g := range Groups(rows, metric) {
		if !ok || (maximize && g.Mean > best.Mean) || (!maximize && g.Mean < best.Mean) {
			best, ok = g, true
		}
	}
	return best, ok
}

// Metrics lists the numbers the rows' summaries hold, sorted.
func Metrics(rows []Row) []string {
	set := map[string]bool{}
	for _, r := range rows {
		for k := range r.Metrics {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Summary counts the rows by state, e.g. "6 ok, 2 failed".
func Summary(rows []Row) string {
	n := map[string]int{}
	for _, r := range rows {
		n[r.Status.State]++
	}
	var parts []string
	for _, s := range []string{StateOK, StateFailed, StateRunning, StateNotRun} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

// logColumn is a point's log in sweep.csv: relative to the sweep's
// folder (logs/NAME.log), so that the table still names it after the
// folder is moved or copied; empty if it has none.
func logColumn(dir, log string) string {
	rel, err := filepath.Rel(dir, log)
	if err != nil || log == "" {
		return log
	}
	return rel
}
