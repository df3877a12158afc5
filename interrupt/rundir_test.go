package interrupt

import (
	"context"
	"os"
	"path/filepath"
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
