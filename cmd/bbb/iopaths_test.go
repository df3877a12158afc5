//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// tiny are train flags for a run of a fraction of a second.
var tiny = []string{"-q", "--epochs", "20", "--points", "200", "--samples", "10", "--report-every", "10", "--no-figures", "--no-train-band"}

func tinyTrain(args ...string) []string {
	return append(append([]string{"train"}, tiny...), args...)
}

// tinyTrainData is tinyTrain for --data runs, which refuse --points (their
// rows come from the file).
func tinyTrainData(args ...string) []string {
	t := tinyTrain(args...)
	i := slices.Index(t, "--points")
	return slices.Delete(t, i, i+2)
}

// Issue 23, items 1 and 2: an output that is an input or another output
// (symbolic links, "./x", hard links and absolute paths are one file), a
// run folder that holds an input, an output inside the run folder that is
// not staged, and an output that is a fifo or a directory: each is one
// line naming both flags (or the flag and what is wrong), exit 2, before
// any work, and every file stays as it was, with no temporary file left.
func TestOutputsNeverReplaceInputs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	writeCSV(t, "t.csv", 40, false)
	writeCSV(t, "v.csv", 20, false)
	if code, _, stderr := runCLI(tinyTrain("--save", "m.npz", "--out", "o0")...); code != exitOK {
		t.Fatalf("fixture: %s", stderr)
	}
	must(os.MkdirAll("r2", 0o755))
	must(os.Link("m.npz", "r2/m.npz")) // (an input inside a run folder)
	must(os.WriteFile("r2/bench.json", []byte(`{"rows":[{}]}`), 0o644))
	must(os.WriteFile("x", []byte("profile?"), 0o644))
	must(os.Symlink("t.csv", "t-link.csv"))
	must(os.Symlink(filepath.Join(dir, "m.npz"), "m-link.npz"))
	must(os.Link("t.csv", "t-hard.csv"))
	must(os.Symlink("r2", "r2-link"))
	must(os.MkdirAll("q3/sub", 0o755))
	must(os.MkdirAll("mnist", 0o755))
	must(os.WriteFile("mnist/t10k-images-idx3-ubyte.gz", []byte("images"), 0o644))
	must(syscall.Mkfifo("fifo", 0o644))
	must(os.Symlink("loop", "loop"))
	abs := func(p string) string { return filepath.Join(dir, p) }
	before := snapshot(t, dir)

	for _, tc := range []struct {
		args []string
		want []string // in the one line of stderr
	}{
		// train: item 1's cases
		{tinyTrain("--data", "t.csv", "--save", "t.csv"), []string{"--save", "--data"}},
		{tinyTrain("--data", "t.csv", "--cpuprofile", "t.csv"), []string{"--cpuprofile", "--data"}},
		{tinyTrain("--data", "t.csv", "--val", "v.csv", "--save", "v.csv"), []string{"--save", "--val"}},
		{tinyTrain("--resume", "m.npz", "--cpuprofile", "m.npz"), []string{"--cpuprofile", "--resume"}},
		{tinyTrain("--save", "x", "--cpuprofile", "x"), []string{"--save", "--cpuprofile"}},
		{tinyTrain("--save", "q4", "--out", "q4"), []string{"--save", "--out"}},
		{tinyTrain("--save", "x", "--out", "x"), []string{"--out", "not a directory"}},
		// the same file by other names
		{tinyTrain("--data", "t.csv", "--save", "./t.csv"), []string{"--save", "--data"}},
		{tinyTrain("--data", abs("t.csv"), "--cpuprofile", "t.csv"), []string{"--cpuprofile", "--data"}},
		{tinyTrain("--data", "t-link.csv", "--save", "t.csv"), []string{"--save", "--data"}},
		{tinyTrain("--data", "t.csv", "--save", "t-link.csv"), []string{"--save", "--data"}},
		{tinyTrain("--data", "t.csv", "--save", "t-hard.csv"), []string{"--save", "--data"}},
		{tinyTrain("--data", "t.csv", "--save", "q3/../t.csv"), []string{"--save", "--data"}},
		{tinyTrain("--resume", "m-link.npz", "--cpuprofile", abs("m.npz")), []string{"--cpuprofile", "--resume"}},
		// a run folder that holds an input
		{tinyTrain("--resume", "r2/m.npz", "--out", "r2"), []string{"--out", "--resume"}},
		{tinyTrain("--resume", "r2/m.npz", "--out", "r2-link"), []string{"--out", "--resume"}},
		{tinyTrain("--data", "t.csv", "--out", "."), []string{"--out", "--data"}},
		{tinyTrain("--data", "t.csv", "--out", "t.csv"), []string{"--out", "not a directory"}},
		// an output in the run folder but not staged with it
		{tinyTrain("--save", "q3/sub/m.npz", "--out", "q3"), []string{"--save", "--out"}},
		// item 2: not a regular file
		{tinyTrain("--save", "fifo"), []string{"--save", "a fifo"}},
		{tinyTrain("--cpuprofile", "fifo"), []string{"--cpuprofile", "a fifo"}},
		{tinyTrain("--cpuprofile", "q3"), []string{"--cpuprofile", "is a directory"}},
		{tinyTrain("--out", "fifo"), []string{"--out", "not a directory"}},
		{tinyTrain("--save", "loop"), []string{"--save", "too many levels of symbolic links"}},
		{tinyTrain("--save", "x/m.npz"), []string{"--save", "not a directory"}},
		// train --preset mnist
		{[]string{"train", "--preset", "mnist", "--from", "m.npz", "--save", "m.npz", "--out", "p"}, []string{"--save", "--from"}},
		{[]string{"train", "--preset", "mnist", "--from", "r2/m.npz", "--out", "r2"}, []string{"--out", "--from"}},
		{[]string{"train", "--preset", "mnist", "--mnist-dir", "mnist", "--out", "mnist"}, []string{"--out", "--mnist-dir"}},
		{[]string{"train", "--preset", "mnist", "--mnist-dir", "mnist", "--save", "mnist/t10k-images-idx3-ubyte.gz", "--out", "p"}, []string{"--save", "--mnist-dir"}},
		// predict, prune, bench, dot
		{[]string{"predict", "--model", "m.npz", "--data", "t.csv", "--out", "./t.csv"}, []string{"--out", "--data"}},
		{[]string{"predict", "--model", "m.npz", "--data", "t.csv", "--out", "m-link.npz"}, []string{"--out", "--model"}},
		{[]string{"predict", "--model", "m.npz", "--data", "t.csv", "--out", "fifo"}, []string{"--out", "a fifo"}},
		{[]string{"prune", "--model", "r2/m.npz", "--out", "r2"}, []string{"--out", "--model"}},
		{[]string{"prune", "--model", "m.npz", "--mnist-dir", "mnist", "--out", "."}, []string{"--out", "--model"}},
		{[]string{"bench", "--hidden-sizes", "4", "--points", "100", "--epochs", "3", "--samples", "2", "--seconds", "0.01", "--compare", "r2/bench.json", "--out", "r2"}, []string{"--out", "--compare"}},
		{[]string{"bench", "--hidden-sizes", "4", "--points", "100", "--epochs", "3", "--samples", "2", "--seconds", "0.01", "--compare", "r2-link/bench.json", "--out", abs("r2")}, []string{"--out", "--compare"}},
		{[]string{"dot", "-o", "fifo"}, []string{"--out", "a fifo"}},
		{[]string{"dot", "-o", "q3"}, []string{"--out", "is a directory"}},
		// "-" is standard output only where a command writes there
		{tinyTrain("--save", "-"), []string{"--save -", "standard output"}},
		{tinyTrain("--cpuprofile", "-"), []string{"--cpuprofile -", "standard output"}},
		{tinyTrain("--out", "-"), []string{"--out -", "standard output"}},
		{[]string{"bench", "--out", "-"}, []string{"--out -", "standard output"}},
	} {
		code, _, stderr := runCLI(tc.args...)
		line := strings.TrimSpace(stderr)
		if code != exitUsage || strings.Contains(line, "\n") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line", tc.args, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(line, w) {
				t.Errorf("%v: %q does not name %q", tc.args, line, w)
			}
		}
		if after := snapshot(t, dir); !mapsEqual(before, after) {
			t.Errorf("%v: files changed: %v", tc.args, diffKeys(before, after))
			before = after
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func diffKeys(a, b map[string]string) []string {
	var d []string
	for k, v := range a {
		if b[k] != v {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, "+"+k)
		}
	}
	slices.Sort(d)
	return d
}

// What the plan allows: --save rewriting the --resume file it continues
// (in place, and staged inside --out), --save and --cpuprofile directly in
// --out (staged with the run).
func TestOutputsThatMayOverlap(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{
		tinyTrain("--epochs", "10", "--save", "m.npz", "--out", "o1"),
		tinyTrain("--resume", "m.npz", "--save", "m.npz", "--out", "o1"),
		tinyTrain("--epochs", "10", "--save", "r2/m.npz", "--cpuprofile", "r2/cpu.prof", "--out", "r2"),
		tinyTrain("--resume", "r2/m.npz", "--save", "r2/m.npz", "--out", "r2"),
	} {
		if code, _, stderr := runCLI(args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for _, p := range []string{"m.npz", "r2/m.npz"} {
		c, err := readModel("--resume", p)
		if err != nil || c.Model.Epoch != 20 {
			t.Errorf("%s: %v, %+v", p, err, c)
		}
	}
}

// Outputs that are symbolic links are written through: the file they name
// is replaced, the link stays (predict --out, train --save and
// --cpuprofile, a run folder --out).
func TestOutputsWriteThroughLinks(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	writeCSV(t, "t.csv", 40, false)
	must(os.MkdirAll("real/run", 0o755))
	must(os.WriteFile("real/m.npz", nil, 0o644))                                           // (--save replaces a model or an empty file)
	must(os.WriteFile("real/pred.csv", []byte("a,mean,std_epistemic,std_total\n"), 0o644)) // (an earlier prediction: predict --out replaces only those)
	must(os.Symlink("real/m.npz", "m-link.npz"))
	must(os.Symlink("real/pred.csv", "pred-link.csv"))
	must(os.Symlink("real/cpu.prof", "cpu-link.prof")) // dangling: the file is created
	must(os.Symlink("real/run", "run-link"))
	if code, _, stderr := runCLI(tinyTrainData("--data", "t.csv", "--save", "m-link.npz", "--cpuprofile", "cpu-link.prof", "--out", "run-link")...); code != exitOK {
		t.Fatalf("train: %s", stderr)
	}
	if code, _, stderr := runCLI("predict", "-q", "--samples", "4", "--model", "m-link.npz", "--data", "t.csv", "--out", "pred-link.csv"); code != exitOK {
		t.Fatalf("predict: %s", stderr)
	}
	for _, l := range []string{"m-link.npz", "pred-link.csv", "cpu-link.prof", "run-link"} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s: no longer a link (%v)", l, err)
		}
	}
	if _, err := readModel("--model", "real/m.npz"); err != nil {
		t.Error("the link's target was not written:", err)
	}
	for _, p := range []string{"real/pred.csv", "real/cpu.prof", "real/run/summary.json"} {
		if b, err := os.ReadFile(p); err != nil || len(b) < 10 {
			t.Errorf("%s: %d bytes, %v", p, len(b), err)
		}
	}
	if ents, _ := os.ReadDir("."); len(ents) != 6 {
		t.Errorf("entries %v", ents)
	}
}

// predict --out - and dot --out - write to standard output, and no file
// named "-".
func TestDashIsStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeCSV(t, "t.csv", 40, false)
	if code, _, stderr := runCLI(tinyTrainData("--data", "t.csv", "--save", "m.npz", "--out", "o")...); code != exitOK {
		t.Fatal(stderr)
	}
	code, stdout, stderr := runCLI("predict", "-q", "--samples", "4", "--model", "m.npz", "--data", "t.csv", "--out", "-")
	if code != exitOK || !strings.HasPrefix(stdout, "a,mean,std_epistemic,std_total,q0.05,q0.5,q0.95\n") || strings.Count(stdout, "\n") != 41 {
		t.Errorf("predict --out -: exit %d, stderr %q, stdout %.80q", code, stderr, stdout)
	}
	if code, stdout, _ := runCLI("dot", "--out", "-"); code != exitOK || !strings.HasPrefix(stdout, "digraph") {
		t.Errorf("dot --out -: exit %d, %.40q", code, stdout)
	}
	if _, err := os.Lstat("-"); err == nil {
		t.Error(`a file named "-" was written`)
	}
}

// kill -9 while --save writes leaves its temporary file; the next --save
// to the same file removes it (its process is gone), and nothing else.
func TestSaveRemovesKilledLeftover(t *testing.T) {
	dir := t.TempDir()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Skip(err)
	}
	leftover := filepath.Join(dir, atomicio.SideName("m.npz", "bbb-tmp-")+strconv.Itoa(c.Process.Pid)+"-123")
	live := filepath.Join(dir, atomicio.SideName("m.npz", "bbb-tmp-")+strconv.Itoa(os.Getpid())+"-456")
	for _, p := range []string{leftover, live} {
		if err := os.WriteFile(p, make([]byte, 1000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runCLI(tinyTrain("--save", filepath.Join(dir, "m.npz"), "--out", filepath.Join(dir, "o"))...); code != exitOK {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(leftover); err == nil {
		t.Error("the killed write's temporary file was kept")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a live process's temporary file was removed")
	}
}

// Legal long --out and --save names (240 bytes, and NAME_MAX's 255) work:
// the lock, staging and temporary files beside them have names that fit
// NAME_MAX.
func TestLongOutName(t *testing.T) {
	for _, n := range []int{240, 255} {
		dir := t.TempDir()
		out := filepath.Join(dir, strings.Repeat("o", n))
		save := filepath.Join(dir, strings.Repeat("m", n))
		for range 2 { // the second replaces the first
			if code, _, stderr := runCLI(tinyTrain("--out", out, "--save", save)...); code != exitOK {
				t.Fatalf("%d bytes: exit %d: %s", n, code, stderr)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
			t.Error(err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 2 {
			t.Errorf("%d bytes: entries beside --out: %v", n, ents)
		}
	}
}

// deepDir makes a directory under base whose absolute path is n bytes
// long.
func deepDir(t *testing.T, base string, n int) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(base)
	if err != nil {
		t.Fatal(err)
	}
	for len(dir) < n {
		dir = filepath.Join(dir, strings.Repeat("d", min(200, n-len(dir)-1)))
	}
	if len(dir) != n {
		t.Fatalf("deepDir: %d bytes, want %d", len(dir), n)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Issue 23, item 3 (and item 5's file variant, in TestMountedOutputFileRefused):
// an output file named with a trailing "/" (or "/."), a name over NAME_MAX,
// and a path that the temporary names bbb writes would take past PATH_MAX
// used to fail only after the work. Each is one line naming the flag, exit
// 2, before any work, nothing written.
func TestOutputNamesRefusedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	long := strings.Repeat("n", 256)
	// 4064 bytes: the write check's temporary file fits (main's code
	// got that far), the --save file's temporary file does not.
	deep := deepDir(t, dir, 4064)
	if err := os.MkdirAll(deep[:4040], 0o755); err != nil { // (a name cut short: a sibling)
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	bench := []string{"bench", "--hidden-sizes", "4", "--points", "100", "--epochs", "3", "--samples", "2", "--seconds", "0.01"}
	for _, tc := range []struct {
		args []string
		want []string // in the one line of stderr
	}{
		{tinyTrain("--save", "mx.npz/"), []string{"--save mx.npz/", "names a directory"}},
		{tinyTrain("--save", "mx.npz/."), []string{"--save mx.npz/.", "names a directory"}},
		{tinyTrain("--cpuprofile", "c.prof/"), []string{"--cpuprofile c.prof/", "names a directory"}},
		{tinyTrain("--save", "o/m.npz/", "--out", "o"), []string{"--save o/m.npz/", "names a directory"}},
		{[]string{"predict", "--model", "m.npz", "--data", "t.csv", "--out", "p.csv/"}, []string{"--out p.csv/", "names a directory"}},
		{[]string{"dot", "-o", "g.dot/"}, []string{"--out g.dot/", "names a directory"}},
		{tinyTrain("--save", long), []string{"--save", "256 bytes", "at most 255"}},
		{tinyTrain("--save", "o/"+long, "--out", "o"), []string{"--save", "256 bytes"}},
		{tinyTrain("--cpuprofile", long), []string{"--cpuprofile", "256 bytes"}},
		{tinyTrain("--out", long), []string{"--out", "256 bytes"}},
		{tinyTrain("--out", long+"/run"), []string{"--out", "256 bytes"}},
		{append(bench, "--out", long), []string{"--out", "256 bytes"}},
		{[]string{"bandit", "--steps", "200", "--every", "100", "--agents", "greedy", "--updates", "1", "--buffer", "64", "--batch", "32", "--out", long}, []string{"--out", "256 bytes"}},
		{[]string{"predict", "--model", "m.npz", "--data", "t.csv", "--out", long}, []string{"--out", "256 bytes"}},
		{[]string{"dot", "-o", long}, []string{"--out", "256 bytes"}},
		{tinyTrain("--save", filepath.Join(deep, strings.Repeat("m", 20))), []string{"--save", "4095 bytes a path may have"}},
		{tinyTrain("--out", filepath.Join(deep[:4040], "r")), []string{"--out", "4095 bytes a path may have"}},
		{[]string{"dot", "-o", filepath.Join(deep, strings.Repeat("g", 20))}, []string{"--out", "4095 bytes a path may have"}},
		// A file staged with the run, named like the run's own files: one of the two was lost.
		{tinyTrain("--save", "o/summary.json", "--out", "o"), []string{"--save o/summary.json", "the run's own kind"}},
		{tinyTrain("--save", "o/.bbb-run", "--out", "o"), []string{"--save o/.bbb-run", "the run's own kind"}},
		{tinyTrain("--cpuprofile", "o/losses.CSV", "--out", "o"), []string{"--cpuprofile o/losses.CSV", "the run's own kind"}},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		line := strings.TrimSpace(stderr)
		if code != exitUsage || strings.Contains(line, "\n") || stdout != "" {
			t.Errorf("%.60q: exit %d, stderr %q, stdout %.40q; want exit 2, one line, before any work", tc.args, code, stderr, stdout)
		}
		for _, w := range tc.want {
			if !strings.Contains(line, w) {
				t.Errorf("%.60q: %q does not name %q", tc.args, line, w)
			}
		}
		if after := snapshot(t, dir); !mapsEqual(before, after) {
			t.Errorf("%.60q: files changed: %.200q", tc.args, diffKeys(before, after))
			before = after
		}
	}
}

// predict --out and dot --out replace only what they write (an earlier
// prediction, a graph) or an empty file: a typo that names a model or a
// data file is refused before any work, and the file stays.
func TestTextOutputsReplaceOnlyTheirOwn(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeCSV(t, "t.csv", 40, false)
	if code, _, stderr := runCLI(tinyTrainData("--data", "t.csv", "--save", "m.npz", "--out", "run")...); code != exitOK {
		t.Fatalf("train: %s", stderr)
	}
	if err := os.WriteFile("other.csv", []byte("x,y\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	model, _ := os.ReadFile("m.npz")
	for _, tc := range []struct {
		args []string
		file string
		want string
	}{
		{[]string{"dot", "--out", "m.npz"}, "m.npz", "--out m.npz: exists and is not a Graphviz graph"},
		{[]string{"predict", "-q", "--model", "m.npz", "--data", "t.csv", "--out", "other.csv"}, "other.csv", "--out other.csv: exists and is not predictions"},
	} {
		before, _ := os.ReadFile(tc.file)
		code, _, stderr := runCLI(tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, stderr)
		}
		if after, _ := os.ReadFile(tc.file); !bytes.Equal(after, before) {
			t.Errorf("%v: %s changed", tc.args, tc.file)
		}
	}
	// Their own files are replaced.
	for _, args := range [][]string{{"dot", "--out", "g.dot"}, {"dot", "--out", "g.dot", "--hidden", "3"},
		{"predict", "-q", "--model", "m.npz", "--data", "t.csv", "--out", "p.csv"}, {"predict", "-q", "--model", "m.npz", "--data", "t.csv", "--out", "p.csv"}} {
		if code, _, stderr := runCLI(args...); code != exitOK {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if after, _ := os.ReadFile("m.npz"); !bytes.Equal(after, model) {
		t.Error("the model changed")
	}
}

// dot's -o and --out are one flag under two names: both at once is
// refused (the last would win silently), and nothing is written.
func TestDotOutTwice(t *testing.T) {
	dir := t.TempDir()
	x, y := filepath.Join(dir, "x.dot"), filepath.Join(dir, "y.dot")
	code, _, stderr := runCLI("dot", "-o", x, "--out", y)
	if code != exitUsage || stderr != "bbb: -o and --out: both name the output; give one\n" {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files written", len(ents))
	}
}
