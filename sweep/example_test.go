package sweep_test

import (
	"fmt"
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
