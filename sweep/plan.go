package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/internal/boundedio"
)

// Plan is a sweep as written to DIR/sweep.json: what a Slurm task and a
// later --collect read.
type Plan struct {
	Grid   string            `json:"grid"`  // the grid file, absolute
	Axes   []string          `json:"axes"`  // the flags written as lists, in grid order (seed last)
	Fixed  []string          `json:"fixed"` // the other flags
	Slurm  map[string]string `json:"slurm,omitempty"`
	Points []Point           `json:"points"`
}

// PlanFile is the plan's name in the sweep folder.
const PlanFile = "sweep.json"

// NewPlan is the plan of a checked grid.
func NewPlan(g *Grid, points []Point) *Plan {
	grid, err := filepath.Abs(g.File)
	if err != nil {
		grid = g.File
	}
	p := &Plan{Grid: grid, Slurm: g.Slurm, Points: points}
	for _, a := range g.Axes {
		if a.List {
			p.Axes = append(p.Axes, a.Flag)
		} else {
			p.Fixed = append(p.Fixed, a.Flag)
		}
	}
	return p
}

// Write writes the plan into dir atomically.
func (p *Plan) Write(dir string) error {
	return atomicio.WriteFile(filepath.Join(dir, PlanFile), func(w io.Writer) error {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(p)
	})
}

// ReadPlan reads dir's plan; a folder without one is an error naming it.
func ReadPlan(dir string) (*Plan, error) {
	if st, err := os.Stat(filepath.Join(dir, PlanFile)); err == nil && !st.Mode().IsRegular() { // (a FIFO would wait for a writer)
		return nil, fmt.Errorf("%s: not a sweep folder (%s: %v)", dir, PlanFile, boundedio.Regular(st))
	}
	b, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if err != nil {
		return nil, fmt.Errorf("%s: not a sweep folder (no readable %s): %w", dir, PlanFile, unwrapPath(err))
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, PlanFile), err)
	}
	for i, pt := range p.Points {
		if pt.Index != i || pt.Name == "" || pt.Name != filepath.Base(pt.Name) {
			return nil, fmt.Errorf("%s: point %d: bad index or name %q", filepath.Join(dir, PlanFile), i, pt.Name)
		}
	}
	return &p, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Pending returns the points that need a run: those without a complete
// summary.json, and those whose run had other flags: the flags its status
// records (Status.RunArgs), or in a folder of a sweep that recorded none,
// those of the plan that ran them (prev, nil when there was none). The
// plan is rewritten before the points run, so only the status still knows
// the flags of a run after an interrupted sweep of an edited grid.
func (p *Plan) Pending(dir string, prev *Plan) []Point {
	old := map[string][]string{}
	if prev != nil {
		for _, q := range prev.Points {
			old[q.Name] = q.Args
		}
	}
	var out []Point
	for _, q := range p.Points {
		args, known := old[q.Name]
		if st, ok := ReadStatus(dir, q); ok && st.RunArgs != nil {
			args, known = st.RunArgs, true
		} else if prev == nil {
			args, known = q.Args, true
		}
		if !Done(dir, q) || !known || !equal(args, q.Args) {
			out = append(out, q)
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
