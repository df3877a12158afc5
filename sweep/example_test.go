package sweep_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bbb-go/bbb/sweep"
)

// Parse a grid file and expand it into its runs: each key is a bbb train
// flag, a [..] list is an axis, a single value is the same for every point,
// and slurm.* keys go to the scheduler.
func ExampleExpand() {
	grid := `# two widths, two learning rates
preset = quick
hidden = [10, 20]
lr = [0.01, 0.003]
seeds = [1]
slurm.time = 0:10:00
`
	g, err := sweep.Parse(strings.NewReader(grid), "example.grid")
	if err != nil {
		panic(err)
	}
	points, err := sweep.Expand(g)
	if err != nil {
		panic(err)
	}
	fmt.Println("slurm time:", g.Slurm["time"])
	for _, p := range points {
		fmt.Println(p.Index, p.Name, p.Args)
	}
	fmt.Println("first run's folder:", filepath.ToSlash(points[0].RunDir("sweep-out")))
	// Output:
	// slurm time: 0:10:00
	// 0 hidden=10_lr=0.01_seed=1 [--preset=quick --hidden=10 --lr=0.01 --seed=1]
	// 1 hidden=10_lr=0.003_seed=1 [--preset=quick --hidden=10 --lr=0.003 --seed=1]
	// 2 hidden=20_lr=0.01_seed=1 [--preset=quick --hidden=20 --lr=0.01 --seed=1]
	// 3 hidden=20_lr=0.003_seed=1 [--preset=quick --hidden=20 --lr=0.003 --seed=1]
	// first run's folder: sweep-out/runs/hidden=10_lr=0.01_seed=1
}

// Collect a sweep's folder into sweep.csv, the figure and the best point,
// as `bbb sweep --collect DIR` does. Here the runs' summaries are written
// by hand in place of finished `bbb train` runs.
func ExampleReport() {
	dir, err := os.MkdirTemp("", "sweep-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	g, err := sweep.Parse(strings.NewReader("preset = quick\nhidden = [10, 20]\nseeds = [1, 2]\n"), "example.grid")
	if err != nil {
		panic(err)
	}
	// bbb sweep checks each point with bbb train's own checks; this
	// Checker takes every flag.
	anyFlag := sweep.Checker{Known: func(string) bool { return true }, Check: func([]string) error { return nil }}
	plan, err := sweep.PlanGrid(g, dir, anyFlag)
	if err != nil {
		panic(err)
	}
	if err := plan.Write(dir); err != nil {
		panic(err)
	}
	nlpd := []float64{0.52, 0.48, 0.61, 0.57}
	for i, p := range plan.Points {
		if err := os.MkdirAll(p.RunDir(dir), 0o777); err != nil {
			panic(err)
		}
		summary := fmt.Sprintf(`{"val_nlpd": %g, "epochs": 100}`, nlpd[i])
		if err := os.WriteFile(filepath.Join(p.RunDir(dir), "summary.json"), []byte(summary), 0o666); err != nil {
			panic(err)
		}
	}
	var out strings.Builder
	rows, err := sweep.Report(&out, dir, plan, sweep.ReportOptions{Metric: "val_nlpd", Format: "svg"})
	if err != nil {
		panic(err)
	}
	fmt.Print(filepath.ToSlash(strings.ReplaceAll(out.String(), dir, "DIR")))
	for _, r := range rows {
		fmt.Println(r.Point.Name, r.Status.State, r.Metrics["val_nlpd"])
	}
	csv, err := os.ReadFile(filepath.Join(dir, sweep.CSVFile))
	if err != nil {
		panic(err)
	}
	header, _, _ := strings.Cut(string(csv), "\n")
	fmt.Println(header)
	// Output:
	// wrote DIR/sweep.csv (4 ok)
	// best val_nlpd 0.5 ± 0.0283 (sd over 2 seeds): --preset=quick --hidden=10
	//   bbb train --preset=quick --hidden=10 --seed=1 --out=DIR/runs/hidden=10_seed=1
	// wrote DIR/sweep.svg
	// hidden=10_seed=1 ok 0.52
	// hidden=10_seed=2 ok 0.48
	// hidden=20_seed=1 ok 0.61
	// hidden=20_seed=2 ok 0.57
	// point,status,reason,wall_seconds,threads,log,--hidden,--seed,--preset,epochs,val_nlpd
}

// Run a grid's points on this machine, two at a time, and collect them.
// Exe is the bbb binary; a Checker that knows bbb train's flags refuses a
// bad grid before any point runs (bbb sweep passes train's own).
func ExampleSweep_Run() {
	g, err := sweep.Parse(strings.NewReader("preset = quick\nlr = [0.01, 0.003]\nseeds = [1, 2]\n"), "lr.grid")
	if err != nil {
		panic(err)
	}
	checker := sweep.Checker{Known: func(string) bool { return true }, Check: func([]string) error { return nil }}
	plan, err := sweep.PlanGrid(g, "lr-sweep", checker)
	if err != nil {
		panic(err)
	}
	s, err := sweep.New("lr-sweep", plan, sweep.Options{Exe: "bbb", Jobs: 2, Progress: os.Stderr})
	if err != nil {
		panic(err)
	}
	res, err := s.Run(context.Background())
	if err != nil {
		panic(err)
	}
	_, err = sweep.Report(os.Stdout, s.Dir, plan, sweep.ReportOptions{Metric: "val_nlpd", Ended: res.Ended})
	var incomplete *sweep.IncompleteError
	if errors.As(err, &incomplete) {
		fmt.Println(incomplete.Bad, "points to run again")
	} else if err != nil {
		panic(err)
	}
}
