package rundir

import (
	"os"
	"path/filepath"
	"testing"
)

// exchange swaps two folders in one step on Linux (a tmpfs or ext4 has
// RENAME_EXCHANGE): each name then holds the other's file. Commit relies
// on it, and falls back to two renames only where it fails.
func TestExchangeSwaps(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "name"), []byte(filepath.Base(d)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := exchange(a, b); err != nil {
		t.Skipf("renameat2 RENAME_EXCHANGE not available here: %v", err)
	}
	for d, want := range map[string]string{a: "b", b: "a"} {
		if got, err := os.ReadFile(filepath.Join(d, "name")); err != nil || string(got) != want {
			t.Errorf("%s holds %q (%v), want %q", d, got, err, want)
		}
	}
	if err := exchange(a, filepath.Join(dir, "missing")); err == nil {
		t.Error("exchange with a missing path succeeded")
	}
}
