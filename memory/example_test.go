package memory_test

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/bbb-go/bbb/memory"
)

// The estimate for the seed job's sizes (bbb train with its defaults:
// 20000 points, 5 layers of 20, 1000 predictive samples, 2 workers), the
// same run over a CSV of 2 million rows, and the refusal of the seed job
// under a 64 MiB limit.
func Example() {
	// The trace of passes holds a few columns per core: pin the cores to
	// the 2 of docs/MEMORY.md's machine for an output that does not depend
	// on this one's.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))

	seed := memory.Sizes{Points: 20000, Hidden: 20, Layers: 5, Samples: 1000, Workers: 2, DefaultWorkers: 2, Inputs: 1, DtypeBytes: 4}
	need, top := memory.Estimate(seed)
	fmt.Printf("seed job: about %s, the largest part %s (%s)\n", memory.Format(need), memory.Format(top.Bytes), top.From)

	csv := seed
	csv.Points, csv.PointsFrom = 2000000, "--data big.csv (2000000 rows)"
	need, top = memory.Estimate(csv)
	fmt.Printf("2M rows: about %s, the largest part %s (%s)\n", memory.Format(need), memory.Format(top.Bytes), top.From)

	limit, err := memory.ParseLimit("64MiB")
	if err != nil {
		fmt.Println(err)
		return
	}
	var tooLarge *memory.TooLargeError
	if err := memory.Check(seed, limit); errors.As(err, &tooLarge) {
		fmt.Println(err)
		fmt.Printf("lower %s, or raise the limit by %s\n", tooLarge.From, memory.Format(tooLarge.Need-tooLarge.Have))
	}
	// Output:
	// seed job: about 93.2 MiB, the largest part 15.9 MiB (--points 20000)
	// 2M rows: about 1.7 GiB, the largest part 1.5 GiB (--data big.csv (2000000 rows))
	// --points 20000: the run needs about 93.2 MiB of memory, over --max-memory 64.0 MiB
	// lower --points 20000, or raise the limit by 29.2 MiB
}
