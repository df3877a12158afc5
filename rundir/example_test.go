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
