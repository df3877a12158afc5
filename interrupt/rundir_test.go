package interrupt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunDir(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	for _, commit := range []bool{true, false} {
		r, err := OpenRunDir(out, "test", func(kept string) { t.Errorf("kept %s", kept) })
		if err != nil {
			t.Fatal(err)
		}
		name := "committed.txt"
		if !commit {
			name = "aborted.txt"
		}
		if err := os.WriteFile(filepath.Join(r.Stage, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if commit {
			if err := r.CommitStage(context.Background(), "replacing out"); err != nil {
				t.Fatal(err)
			}
		}
		r.Abort() // (after Commit: nothing to remove)
	}
	if _, err := os.Stat(filepath.Join(out, "committed.txt")); err != nil {
		t.Errorf("the committed run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "aborted.txt")); !os.IsNotExist(err) {
		t.Errorf("the aborted run's file: %v, want it absent", err)
	}
	var nilDir *RunDir
	nilDir.Abort()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := OpenRunDir(out, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Abort()
	if err := r.CommitStage(ctx, "replacing out"); err == nil {
		t.Error("CommitStage with a cancelled context committed")
	}
}

// CommitStage writes Prepare's file first, renames it after the run is in
// place, and removes it whatever happened; a Prepare that fails leaves the
// previous run; Commit's errors carry Name.
func TestRunDirPrepare(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var order []string
	prepare := func(fail bool) func() (func() error, func(), error) {
		return func() (func() error, func(), error) {
			order = append(order, "prepare")
			if fail {
				return nil, nil, errors.New("disk full")
			}
			return func() error { order = append(order, "rename"); return nil }, func() { order = append(order, "remove") }, nil
		}
	}
	r, err := OpenRunDir(out, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Prepare, r.Name = prepare(false), func() string { return "--out out" }
	if err := r.CommitStage(context.Background(), "replacing out"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ","); got != "prepare,rename,remove" {
		t.Errorf("order %s", got)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the run is not in place: %v", err)
	}
	order = nil
	r, err = OpenRunDir(out, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Abort()
	if err := os.WriteFile(filepath.Join(r.Stage, "new.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Prepare = prepare(true)
	if err := r.CommitStage(context.Background(), "replacing out"); err == nil || err.Error() != "disk full" {
		t.Errorf("a failed Prepare: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "new.txt")); !os.IsNotExist(err) {
		t.Errorf("a failed Prepare put the run in place: %v", err)
	}
	r.Name = func() string { return "--out out" }
	if err := os.RemoveAll(r.Stage); err != nil {
		t.Fatal(err)
	}
	r.Prepare = nil
	if err := r.Commit(); err == nil || !strings.HasPrefix(err.Error(), "--out out: ") {
		t.Errorf("Commit of a removed stage: %v, want it named --out out", err)
	}
}
