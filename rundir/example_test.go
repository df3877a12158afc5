package rundir_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bbb-go/bbb/rundir"
)

// A run writes its files into the stage and commits: the folder then holds
// the new files whole, or, after Abort or a kill, the previous run's.
func ExampleOpen() {
	tmp, err := os.MkdirTemp("", "rundir-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "out")

	run := func(text string, commit bool) {
		d, err := rundir.Open(out, "train")
		if err != nil {
			panic(err)
		}
		if err := os.WriteFile(filepath.Join(d.Stage, "summary.txt"), []byte(text), 0o644); err != nil {
			d.Abort()
			panic(err)
		}
		if !commit {
			d.Abort() // a failed run: the folder keeps what it had
			return
		}
		if err := d.Commit(); err != nil {
			panic(err)
		}
	}
	read := func() string {
		b, _ := os.ReadFile(filepath.Join(out, "summary.txt"))
		return string(b)
	}
	run("first run", true)
	fmt.Println("after commit:", read())
	run("second run", false)
	fmt.Println("after abort: ", read())
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		fmt.Println("  ", e.Name()) // the manifest lists what bbb wrote
	}

	// Another command's folder is refused before any work.
	_, err = rundir.Open(out, "bench")
	var refusal *rundir.Error
	fmt.Println("bench into train's folder refused:", errors.As(err, &refusal))
	// Output:
	// after commit: first run
	// after abort:  first run
	//    .bbb-run
	//    summary.txt
	// bench into train's folder refused: true
}

// A command lists every path it reads and writes; Check refuses, before
// any work, an output that would overwrite an input (here the same file by
// another name), naming both as the user typed them.
func ExamplePlan() {
	tmp, err := os.MkdirTemp("", "plan-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	wd, _ := os.Getwd()
	if err := os.Chdir(tmp); err != nil {
		panic(err)
	}
	defer os.Chdir(wd)
	if err := os.WriteFile("data.csv", []byte("x,y\n1,2\n"), 0o644); err != nil {
		panic(err)
	}

	plan := rundir.Plan{Command: "train"}
	plan.In("--data", "data.csv")
	plan.Out("--save", "./data.csv")
	plan.OutDir("--out", "run")
	err = plan.Check()
	fmt.Println(err)
	var refusal *rundir.Error
	fmt.Println("a refusal:", errors.As(err, &refusal))

	// The model saved directly in the run folder is written with the run.
	fixed := rundir.Plan{Command: "train"}
	fixed.In("--data", "data.csv")
	fixed.Out("--save", "run/model.npz")
	fixed.OutDir("--out", "run")
	fmt.Println("saved with the run:", fixed.Check())
	// Output:
	// --save ./data.csv: is the --data input; the output would overwrite it
	// a refusal: true
	// saved with the run: <nil>
}
