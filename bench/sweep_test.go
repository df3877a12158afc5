package bench

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A sweep measures every size, points outermost and hidden innermost,
// naming each stage and printing a line per size; a stage's error ends it.
func TestSweepRun(t *testing.T) {
	var progress bytes.Buffer
	var stages []string
	s := Sweep{Config: tiny(), Points: []int{100, 200}, Layers: []int{2}, Hidden: []int{3, 5}, Progress: &progress, Device: "cpu",
		Stage: func(_ context.Context, name string) error { stages = append(stages, name); return nil }}
	rows, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got [][3]int
	for _, r := range rows {
		got = append(got, [3]int{r.Points, r.Layers, r.Hidden})
	}
	if want := [][3]int{{100, 2, 3}, {100, 2, 5}, {200, 2, 3}, {200, 2, 5}}; !reflect.DeepEqual(got, want) {
		t.Errorf("sizes %v, want %v", got, want)
	}
	if want := []Size{{100, 2, 3}, {100, 2, 5}, {200, 2, 3}, {200, 2, 5}}; !reflect.DeepEqual(s.Sizes(), want) {
		t.Errorf("Sizes() %v, want %v", s.Sizes(), want)
	}
	if len(stages) != 4 || stages[1] != "bench (points 100, hidden 5, layers 2)" {
		t.Errorf("stages %q", stages)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[3], "cpu points 200 hidden 5 layers 2: ") || !strings.Contains(lines[3], " steps), ") {
		t.Errorf("progress %q", lines)
	}

	stop := errors.New("stopped")
	s.Progress, s.Stage = nil, func(context.Context, string) error { return stop }
	if rows, err := s.Run(context.Background()); !errors.Is(err, stop) || len(rows) != 0 {
		t.Errorf("a stage's error: %d rows, %v", len(rows), err)
	}
	s.Stage, s.Steps = nil, 1 // under Measure's 3
	if _, err := s.Run(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "bench points 100 hidden 3 layers 2: bench: steps 1") {
		t.Errorf("a failed size: %v", err)
	}
}

// Write writes what Read takes back.
func TestReportWriteRead(t *testing.T) {
	r := Report{Device: "cpu", Dtype: "float32", Rows: []Row{row(200, 4, 0.01, 0.002)}}
	path := filepath.Join(t.TempDir(), "bench.json")
	if err := r.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := Read(path)
	if err != nil || !reflect.DeepEqual(*back, r) {
		t.Fatalf("read back %+v, %v; want %+v", back, err, r)
	}
}

// TableRows finds a table's size rows.
func TestTableRows(t *testing.T) {
	rows := TableRows("backends:\n  bbb-cpu cpu\n\npoints hidden\n 200  4  1e3\n 400 8 2e3\n")
	if want := [][]string{{"200", "4", "1e3"}, {"400", "8", "2e3"}}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
}
