//go:build linux

package rundir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestCrashChild is a child of TestKillAtEachCrashPoint: it writes a run
// of generation RUNDIR_GEN into RUNDIR_OUT and kills itself (SIGKILL, as
// kill -9) at the crash point RUNDIR_CRASH.
func TestCrashChild(t *testing.T) {
	out := os.Getenv("RUNDIR_OUT")
	if out == "" {
		t.Skip("child process only")
	}
	Hooks.NoExchange = os.Getenv("RUNDIR_NO_EXCHANGE") == "1"
	at := os.Getenv("RUNDIR_CRASH")
	Hooks.Crash = func(p string) {
		if p == at {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	d, err := Open(out, "train")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	writeGeneration(d.Stage, os.Getenv("RUNDIR_GEN"))
	if err := d.Commit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(4)
	}
	os.Exit(0)
}

// runFiles are the files every generation of the test's run writes.
var runFiles = []string{"losses.csv", "model.npz", "summary.json"}

func writeGeneration(dir, gen string) {
	for _, n := range runFiles {
		os.WriteFile(filepath.Join(dir, n), []byte(gen+" "+n), 0o644)
	}
}

// subfolders are other runs inside out (out/bench, out/torch) and a
// user's; many of them widen the window in which they wait beside out.
var subfolders = []string{"bench", "torch", "mine", "s1", "s2", "s3", "s4", "s5", "s6", "s7"}

// checkWhole checks that out holds one generation's files, all of it,
// listed in its manifest, every subfolder with its content, the user's
// files, and nothing beside it but the user's file; it returns the
// generation.
func checkWhole(t *testing.T, parent string) string {
	t.Helper()
	out := filepath.Join(parent, "out")
	if got := names(t, parent); !slices.Equal(got, []string{"notes.txt", "out"}) {
		t.Errorf("beside out: %v, want notes.txt and out", got)
	}
	if got := mustRead(t, filepath.Join(parent, "notes.txt")); got != "mine" {
		t.Errorf("notes.txt beside out: %q", got)
	}
	var m manifest
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(out, Marker))), &m); err != nil || m.State != stateComplete || !slices.Equal(m.Files, runFiles) {
		t.Errorf("manifest %+v %v, want complete with %v", m, err, runFiles)
	}
	want := append(append([]string{Marker}, runFiles...), subfolders...)
	slices.Sort(want)
	if got := names(t, out); !slices.Equal(got, want) {
		t.Errorf("out: %v, want %v", got, want)
	}
	gen := mustRead(t, filepath.Join(out, "summary.json"))[:1]
	for _, n := range runFiles {
		if got := mustRead(t, filepath.Join(out, n)); got != gen+" "+n {
			t.Errorf("%s: %q, not of generation %s: the set is mixed", n, got, gen)
		}
	}
	for _, s := range subfolders {
		if got := mustRead(t, filepath.Join(out, s, "notes.txt")); got != s {
			t.Errorf("%s/notes.txt: %q", s, got)
		}
	}
	return gen
}

// kill -9 at each crash point, on both swap paths: the next run into the
// same folder finds the previous run or the new one whole (never a mix
// and never nothing), every subfolder with its files, the user's files,
// and nothing left beside the folder; so does the run after it. A kill
// while the next run clears up is covered too.
func TestKillAtEachCrashPoint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	// Where the kill leaves the new run (generation 2) in place: after
	// the swap. Before it, the previous run (1) stays.
	newAfter := map[string]bool{"swapped": true, "carrying": true, "carried": true, "retired": true}
	for _, path := range []string{"exchange", "two renames"} {
		for _, point := range CrashPoints {
			for _, again := range []string{"", "carrying", "carried"} {
				if again != "" && point != "swapped" {
					continue // a kill while clearing up: after the one kill that leaves most to clear
				}
				t.Run(fmt.Sprintf("%s/%s/%s", path, point, again), func(t *testing.T) {
					parent := t.TempDir()
					out := filepath.Join(parent, "out")
					os.WriteFile(filepath.Join(parent, "notes.txt"), []byte("mine"), 0o644)
					d, err := Open(out, "train")
					if err != nil {
						t.Fatal(err)
					}
					writeGeneration(d.Stage, "1")
					if err := d.Commit(); err != nil {
						t.Fatal(err)
					}
					for _, s := range subfolders {
						os.Mkdir(filepath.Join(out, s), 0o755)
						os.WriteFile(filepath.Join(out, s, "notes.txt"), []byte(s), 0o644)
					}
					noExchange := map[string]string{"exchange": "0", "two renames": "1"}[path]
					killed := child(t, out, "2", point, noExchange)
					if point == "aside" && path == "exchange" {
						if killed {
							t.Fatal("killed at aside on the exchange path")
						}
						return // not on this path
					}
					if !killed {
						t.Fatalf("the child did not reach %s", point)
					}
					if again != "" {
						// The next run is killed while it clears up.
						if !child(t, out, "3", again, noExchange) {
							t.Fatalf("the clearing child did not reach %s", again)
						}
					}
					d, err = Open(out, "train") // the next run: it clears up
					if err != nil {
						t.Fatal(err)
					}
					d.Abort()
					want := "1"
					if newAfter[point] {
						want = "2"
					}
					if gen := checkWhole(t, parent); gen != want {
						t.Errorf("generation %s in out, want %s", gen, want)
					}
					if !child(t, out, "4", "none", noExchange) {
						if gen := checkWhole(t, parent); gen != "4" {
							t.Errorf("generation %s after a whole run, want 4", gen)
						}
					}
				})
			}
		}
	}
}

// child runs TestCrashChild; it reports whether the child was killed.
func child(t *testing.T, out, gen, point, noExchange string) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), "RUNDIR_OUT="+out, "RUNDIR_GEN="+gen, "RUNDIR_CRASH="+point, "RUNDIR_NO_EXCHANGE="+noExchange)
	b, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, b)
	}
	return false
}
