package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// Sweep is `bbb bench`'s sweep of sizes: Config measured at every
// combination of Points, Layers and Hidden (in that nesting order), one
// Row each.
type Sweep struct {
	// Config is what each size times; its Train.Data.N, Train.Graph.Layers
	// and Train.Graph.Hidden are set to the size's.
	Config
	// The sizes; each list needs at least one value.
	Points, Layers, Hidden []int
	// Progress, if not nil, gets one line per size measured, beginning
	// with Device.
	Progress io.Writer
	Device   string
	// Stage, if not nil, is called before each size with its name
	// ("bench (points P, hidden H, layers L)"); an error it returns ends
	// the sweep with that error (an interrupted program, say).
	Stage func(ctx context.Context, name string) error
}

// Size is one workload size of a sweep.
type Size struct{ Points, Layers, Hidden int }

// Sizes are the sweep's sizes in the order Run measures them: points
// outermost, hidden widths innermost (a caller checks each before Run).
func (s Sweep) Sizes() []Size {
	var sizes []Size
	for _, p := range s.Points {
		for _, l := range s.Layers {
			for _, h := range s.Hidden {
				sizes = append(sizes, Size{p, l, h})
			}
		}
	}
	return sizes
}

// Run measures every size in turn (Measure) and returns their rows; a
// size that fails ends the sweep with an error naming it.
func (s Sweep) Run(ctx context.Context) ([]Row, error) {
	var rows []Row
	for _, z := range s.Sizes() {
		p, l, h := z.Points, z.Layers, z.Hidden
		if s.Stage != nil {
			if err := s.Stage(ctx, fmt.Sprintf("bench (points %d, hidden %d, layers %d)", p, h, l)); err != nil {
				return rows, err
			}
		}
		c := s.Config
		c.Train.Data.N, c.Train.Graph.Layers, c.Train.Graph.Hidden = p, l, h
		row, err := Measure(ctx, c)
		if err != nil {
			return rows, fmt.Errorf("bench points %d hidden %d layers %d: %w", p, h, l, err)
		}
		rows = append(rows, row)
		if s.Progress != nil {
			fmt.Fprintf(s.Progress, "%s points %d hidden %d layers %d: %.4gs per epoch (%d steps), %.4gs per pass\n",
				s.Device, p, h, l, row.StepSecondsMedian, row.Steps, row.PredictSecondsPass)
		}
	}
	return rows, nil
}

// Write writes r to path as indented JSON, atomically: bench.json, which
// Read takes back.
func (r *Report) Write(path string) error {
	return atomicio.WriteFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	})
}

// TableRows reads back the size rows of a table that Table printed: the
// lines whose first field is a number (the points), split into fields.
func TableRows(table string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			if _, err := strconv.Atoi(f[0]); err == nil {
				rows = append(rows, f)
			}
		}
	}
	return rows
}
