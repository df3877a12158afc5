//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/bbb-go/bbb/rundir"
)

// tinyTrainInto is a train run of well under a second.
func tinyTrainInto(out string, epochs int) []string {
	return []string{"train", "--points", "100", "--epochs", fmt.Sprint(epochs), "--samples", "2", "--no-figures", "-q", "--out", out}
}

func mustTrain(t *testing.T, out string, epochs int) {
	t.Helper()
	if code, _, stderr := runCLI(tinyTrainInto(out, epochs)...); code != 0 {
		t.Fatalf("train --out %s: exit %d: %s", out, code, stderr)
	}
}

func entryNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range ents {
		ns = append(ns, e.Name())
	}
	return ns
}

// Files a user put into a run folder survive every later command into it:
// a run that would replace them is refused before any work, naming one;
// so is another command's run into a training run's folder.
func TestRunFolderKeepsUserFiles(t *testing.T) {
	parent := t.TempDir()
	r1 := filepath.Join(parent, "r1")
	mustTrain(t, r1, 2)
	writeCSV(t, filepath.Join(r1, "d.csv"), 100, false)
	os.WriteFile(filepath.Join(r1, "notes.txt"), []byte("mine"), 0o644)
	link := filepath.Join(t.TempDir(), "r1-link")
	os.Symlink(r1, link)
	before := entryNames(t, r1)
	summary, _ := os.ReadFile(filepath.Join(r1, "summary.json"))
	cases := []struct {
		args []string
		want string // in the one-line error
	}{
		{append(tinyTrainInto(r1, 2), "--data", filepath.Join(r1, "d.csv")), "r1"},
		{tinyTrainInto(r1, 2), "notes.txt"},
		// issue 23, item 4: named as typed, with the link's target
		{tinyTrainInto(link, 2), "--out " + link + " -> " + r1 + ": "},
		{[]string{"bench", "--hidden", "4", "--points", "100", "--out", r1}, "`bbb train`"},
	}
	for _, tc := range cases {
		code, _, stderr := runCLI(tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q; want exit 2 and one line naming %s", tc.args, code, stderr, tc.want)
		}
	}
	if got := entryNames(t, r1); !slices.Equal(got, before) {
		t.Errorf("r1: %v, was %v", got, before)
	}
	if b, _ := os.ReadFile(filepath.Join(r1, "notes.txt")); string(b) != "mine" {
		t.Errorf("notes.txt: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(r1, "summary.json")); string(b) != string(summary) {
		t.Error("the training run's summary.json changed")
	}
	if got := entryNames(t, parent); !slices.Equal(got, []string{"r1"}) {
		t.Errorf("beside r1: %v", got)
	}
}

// A run folder gets the mode mkdir gives (0777 less the umask), not 0700.
func TestRunFolderMode(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	out := filepath.Join(t.TempDir(), "out")
	mustTrain(t, out, 2)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("--out mode %v (%v), want 0755 under umask 022", fi.Mode().Perm(), err)
	}
	os.Chmod(out, 0o750)
	mustTrain(t, out, 2)
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o750 {
		t.Errorf("replaced --out: mode %v, want its 0750 kept", fi.Mode().Perm())
	}
}

// A kill -9 just after the swap leaves the replaced run, with the
// subfolders still to be carried, in .out.bbb-stage-*: the next run
// carries them into --out instead of deleting them.
func TestLeftoverSubfoldersCarried(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	mustTrain(t, out, 2) // the new run, swapped in
	old := filepath.Join(parent, "old")
	mustTrain(t, old, 2) // the replaced run, with its subfolders
	for _, s := range []string{"bench", "torch"} {
		os.Mkdir(filepath.Join(old, s), 0o755)
		os.WriteFile(filepath.Join(old, s, "bench.json"), []byte(s), 0o644)
	}
	if err := os.Rename(old, filepath.Join(parent, ".out.bbb-stage-123")); err != nil {
		t.Fatal(err)
	}
	mustTrain(t, out, 3)
	for _, s := range []string{"bench", "torch"} {
		if b, err := os.ReadFile(filepath.Join(out, s, "bench.json")); err != nil || string(b) != s {
			t.Errorf("%s/bench.json: %q %v", s, b, err)
		}
	}
	if got := entryNames(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("beside out: %v", got)
	}
}

// TestCrashHelperMain is bbb when BBB_CRASH_ARGS is set: it kills itself
// (SIGKILL, as kill -9) at the run-folder crash point BBB_CRASH_AT, on
// the two-rename path if BBB_NO_EXCHANGE=1.
func TestCrashHelperMain(t *testing.T) {
	args := os.Getenv("BBB_CRASH_ARGS")
	if args == "" {
		t.Skip("helper process only")
	}
	at := os.Getenv("BBB_CRASH_AT")
	rundir.Hooks.NoExchange = os.Getenv("BBB_NO_EXCHANGE") == "1"
	rundir.Hooks.Crash = func(p string) {
		if p == at {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
}

// kill -9 of a real train run at each crash point of the run folder, on
// both swap paths: after the next run clears up, --out holds the previous
// run or the new one whole, its subfolders (other runs) and a user's file
// beside it survive, and nothing else is left beside it; a whole run
// then replaces it. docs/RUN-DIRECTORY.md names the points.
func TestKilledTrainAtEachCrashPoint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	newAfter := map[string]bool{"swapped": true, "carrying": true, "carried": true, "retired": true}
	for _, path := range []string{"exchange", "two renames"} {
		for _, point := range rundir.CrashPoints {
			if point == "aside" && path == "exchange" {
				continue // only on the two-rename path
			}
			t.Run(path+"/"+point, func(t *testing.T) {
				parent := t.TempDir()
				out := filepath.Join(parent, "out")
				os.WriteFile(filepath.Join(parent, "notes.txt"), []byte("mine"), 0o644)
				mustTrain(t, out, 2)
				files := entryNames(t, out)
				for _, s := range []string{"bench", "torch", "s1", "s2", "s3"} {
					os.Mkdir(filepath.Join(out, s), 0o755)
					os.WriteFile(filepath.Join(out, s, "bench.json"), []byte(s), 0o644)
				}
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperMain$")
				cmd.Env = append(os.Environ(), "BBB_CRASH_ARGS="+strings.Join(tinyTrainInto(out, 3), "\x1f"), "BBB_CRASH_AT="+point,
					"BBB_NO_EXCHANGE="+map[string]string{"two renames": "1"}[path])
				b, err := cmd.CombinedOutput()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() {
					t.Fatalf("the run was not killed at %s: %v\n%s", point, err, b)
				}
				rd, err := openRunDir("--out", out) // what the next run does first
				if err != nil {
					t.Fatal(err)
				}
				rd.Abort()
				want := 2
				if newAfter[point] {
					want = 3
				}
				checkWholeRun(t, parent, files, want)
				mustTrain(t, out, 4)
				checkWholeRun(t, parent, files, 4)
			})
		}
	}
}

// checkWholeRun checks that out holds exactly the files of a run of epochs
// (files: the names with the marker), listed in its manifest, the
// subfolders with their files, and beside it only the user's notes.txt.
func checkWholeRun(t *testing.T, parent string, files []string, epochs int) {
	t.Helper()
	out := filepath.Join(parent, "out")
	if got := entryNames(t, parent); !slices.Equal(got, []string{"notes.txt", "out"}) {
		t.Errorf("beside out: %v, want notes.txt and out", got)
	}
	if b, _ := os.ReadFile(filepath.Join(parent, "notes.txt")); string(b) != "mine" {
		t.Errorf("notes.txt: %q", b)
	}
	want := append(slices.Clone(files), "bench", "torch", "s1", "s2", "s3")
	slices.Sort(want)
	if got := entryNames(t, out); !slices.Equal(got, want) {
		t.Errorf("out: %v, want %v", got, want)
	}
	var m struct {
		State string
		Files []string
	}
	b, _ := os.ReadFile(filepath.Join(out, rundir.Marker))
	if err := json.Unmarshal(b, &m); err != nil || m.State != "complete" || !slices.Equal(sortedCopy(append(m.Files, rundir.Marker)), files) {
		t.Errorf("manifest %s (%v), want complete listing %v", b, err, files)
	}
	if s := readSummary(t, out); s["epochs"] != float64(epochs) {
		t.Errorf("summary.json epochs %v, want %d", s["epochs"], epochs)
	}
	if fi, err := os.Stat(filepath.Join(out, "losses.csv")); err != nil || fi.Size() == 0 {
		t.Errorf("losses.csv: %v", err)
	}
	for _, s := range []string{"bench", "torch", "s1", "s2", "s3"} {
		if b, err := os.ReadFile(filepath.Join(out, s, "bench.json")); err != nil || string(b) != s {
			t.Errorf("%s/bench.json: %q %v", s, b, err)
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// --out on a mount point (docker -v host:/out) is refused with one line
// before any work (it used to run the whole job and fail with EBUSY).
// Needs root and unshare, as CI has; rundir's TestMountDecision covers the
// decision everywhere.
func TestOutMountPointRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare")
	}
	mnt := filepath.Join(t.TempDir(), "out")
	os.Mkdir(mnt, 0o755)
	cmd := exec.Command("unshare", "-m", "sh", "-c", `mount -t tmpfs none "$1" && exec "$2" -test.run='^TestHelperMain$'`, "sh", mnt, os.Args[0])
	cmd.Env = append(os.Environ(), "BBB_HELPER_ARGS="+strings.Join(tinyTrainInto(mnt, 2), "\x1f"))
	b, err := cmd.CombinedOutput()
	if strings.Contains(string(b), "mount:") || strings.Contains(string(b), "unshare:") {
		t.Skipf("cannot mount here: %s", b)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(b), "is a mount point") || strings.Contains(string(b), "epoch") {
		t.Errorf("train --out MOUNT: %v, %q; want exit 2 with one line before any work", err, b)
	}
}

// Issue 23, item 3: a folder without a manifest that holds files named
// like bbb's outputs (a user's precious.npz, pred.csv, summary.json) was
// replaced and the files deleted. Every command that writes a run folder
// refuses it with one line naming the folder (as typed: through a symbolic
// link, the link and its target), exit 2, before any work; an empty
// folder, one holding only subfolders, and bbb's own run keep working.
func TestOutWithoutManifestRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("r7", 0o755)
	for _, n := range []string{"precious.npz", "pred.csv", "summary.json"} {
		os.WriteFile(filepath.Join("r7", n), []byte("mine"), 0o644)
	}
	os.Symlink("r7", "r7-link")
	before := snapshot(t, dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{tinyTrain("--out", "r7"), "--out r7: "},
		{tinyTrain("--out", "r7-link"), "--out r7-link -> r7: "},
		{tinyTrain("--out", "r7", "--save", "r7/precious.npz"), "--out r7: "},
		{[]string{"train", "--preset", "mnist", "--out", "r7"}, "--out r7: "},
		{[]string{"bench", "--hidden-sizes", "4", "--points", "100", "--epochs", "3", "--samples", "2", "--seconds", "0.01", "--out", "r7"}, "--out r7: "},
		{[]string{"prune", "--model", "m.npz", "--out", "r7"}, "--out r7: "},
		{[]string{"bandit", "--steps", "200", "--every", "100", "--agents", "greedy", "--updates", "1", "--buffer", "64", "--batch", "32", "--out", "r7"}, "--out r7: "},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		line := strings.TrimSpace(stderr)
		if code != exitUsage || strings.Contains(line, "\n") || stdout != "" || !strings.Contains(line, tc.want) || !strings.Contains(line, "precious.npz") {
			t.Errorf("%v: exit %d, stderr %q, stdout %.40q; want exit 2 and one line naming %q and precious.npz, before any work", tc.args, code, stderr, stdout, tc.want)
		}
		if after := snapshot(t, dir); !mapsEqual(before, after) {
			t.Errorf("%v: files changed: %v", tc.args, diffKeys(before, after))
			before = after
		}
	}

	// What keeps working: a new folder, an empty one, one with only a
	// subfolder (another run's, kept), the same run again, a bench run
	// inside a training run's folder and the training run again.
	os.Mkdir("empty", 0o755)
	os.MkdirAll("sub/bench", 0o755)
	os.WriteFile("sub/bench/bench.json", []byte("b"), 0o644)
	for _, args := range [][]string{
		tinyTrain("--out", "new"),
		tinyTrain("--out", "new"),
		tinyTrain("--out", "empty"),
		tinyTrain("--out", "sub"),
		{"bench", "--hidden-sizes", "4", "--points", "100", "--epochs", "3", "--samples", "2", "--seconds", "0.01", "-q", "--out", "new/bench"},
		tinyTrain("--out", "new", "--save", "new/m.npz"),
		tinyTrain("--out", "new", "--resume", "new/m.npz", "--save", "new/m.npz", "--epochs", "30"),
	} {
		if code, _, stderr := runCLI(args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for _, p := range []string{"sub/bench/bench.json", "sub/summary.json", "empty/summary.json", "new/bench/bench.json", "new/m.npz", "new/summary.json"} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

// TestMountedFileChild is a child of TestMountedOutputFileRefused, run in
// its own mount namespace with a file bind-mounted on BBB_MOUNTED_FILE.
func TestMountedFileChild(t *testing.T) {
	mnt := os.Getenv("BBB_MOUNTED_FILE")
	if mnt == "" {
		t.Skip("child process only")
	}
	t.Chdir(filepath.Dir(mnt))
	os.Symlink(filepath.Base(mnt), "link")
	before := snapshot(t, ".")
	for _, args := range [][]string{
		tinyTrain("--save", "m.npz"),
		tinyTrain("--cpuprofile", "link"),
		tinyTrain("--save", "o/m.npz", "--out", "o"),
		{"predict", "--model", "x.npz", "--data", "t.csv", "--out", "m.npz"},
		{"dot", "-o", "m.npz"},
		tinyTrain("--out", "r"), // a run folder holding a file mounted into place
	} {
		code, stdout, stderr := runCLI(args...)
		line := strings.TrimSpace(stderr)
		if code != exitUsage || strings.Contains(line, "\n") || stdout != "" || !strings.Contains(line, "is a mount point") {
			t.Errorf("%v: exit %d, stderr %q, stdout %.40q; want exit 2 and one line, before any work", args, code, stderr, stdout)
		}
		if after := snapshot(t, "."); !mapsEqual(before, after) {
			t.Errorf("%v: files changed: %v", args, diffKeys(before, after))
			before = after
		}
	}
	if !t.Failed() {
		fmt.Println("mounted file child ok")
	}
}

// Issue 23, item 5, the file variant: an output file that is a mount point
// (docker -v host/m.npz:/work/m.npz) used to run the whole job, then fail
// with EBUSY from the rename. It is refused before any work: --save,
// --cpuprofile through a link, --save staged in --out, predict --out and
// dot -o. Needs root and unshare (CI runs as root); the decision itself is
// rundir's TestMountDecision.
func TestMountedOutputFileRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "host.npz")
	os.WriteFile(src, []byte("the host's"), 0o644)
	work := filepath.Join(dir, "work")
	os.MkdirAll(filepath.Join(work, "o"), 0o755)
	for _, p := range []string{"m.npz", "o/m.npz"} {
		os.WriteFile(filepath.Join(work, p), nil, 0o644)
	}
	writePreviousRun(t, filepath.Join(work, "r")) // a train run: r/summary.json in its manifest
	mount := `mount --bind "$3" "$1" && mount --bind "$3" "$(dirname "$1")/o/m.npz" && mount --bind "$3" "$(dirname "$1")/r/summary.json"`
	cmd := exec.Command("unshare", "-m", "sh", "-c", mount+` && exec "$2" -test.run='^TestMountedFileChild$' -test.v`, "sh", filepath.Join(work, "m.npz"), os.Args[0], src)
	cmd.Env = append(os.Environ(), "BBB_MOUNTED_FILE="+filepath.Join(work, "m.npz"))
	b, err := cmd.CombinedOutput()
	if strings.Contains(string(b), "mount:") || strings.Contains(string(b), "unshare:") {
		t.Skipf("cannot mount here: %s", b)
	}
	if err != nil || !strings.Contains(string(b), "mounted file child ok") {
		t.Fatalf("child: %v\n%s", err, b)
	}
	if got := mustReadFile(t, src); got != "the host's" {
		t.Errorf("the mounted file: %q", got)
	}
}

func mustReadFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
