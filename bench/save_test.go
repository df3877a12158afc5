package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Save writes bench.json, the table and the figure, and stops at the
// figure's stage when told to.
func TestSave(t *testing.T) {
	rep := Report{Device: "cpu", Ops: "fused", Rows: []Row{{Points: 200, Hidden: 4, Layers: 1, StepSecondsMedian: 0.01, PredictSecondsPass: 0.02}}}
	other := Backend{Report: Report{Device: "cuda", Ops: "pytorch-eager", Rows: rep.Rows}, File: "torch.json"}
	dir := t.TempDir()
	var table strings.Builder
	var stages []string
	stage := func(_ context.Context, name string) error { stages = append(stages, name); return nil }
	if err := Save(context.Background(), dir, "svg", rep, []Backend{other}, &table, stage); err != nil {
		t.Fatal(err)
	}
	if r, err := Read(filepath.Join(dir, "bench.json")); err != nil || r.Device != "cpu" || len(r.Rows) != 1 {
		t.Errorf("bench.json: %+v, %v", r, err)
	}
	var want strings.Builder
	Table(&want, Label([]Backend{{Report: rep}, other}))
	if table.String() != want.String() || !strings.Contains(table.String(), "pytorch") {
		t.Errorf("table:\n%s\nwant\n%s", table.String(), want.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "bench.svg")); err != nil || len(stages) != 1 || stages[0] != "bench figure" {
		t.Errorf("figure: %v, stages %v", err, stages)
	}

	stop := errors.New("stopped")
	dir = t.TempDir()
	err := Save(context.Background(), dir, "png", rep, nil, &table, func(context.Context, string) error { return stop })
	if _, serr := os.Stat(filepath.Join(dir, "bench.png")); err != stop || serr == nil {
		t.Errorf("stopped at the figure: %v, figure %v", err, serr)
	}
}
