package rundir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSamePath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.csv")
	if err := os.WriteFile(file, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(file, filepath.Join(dir, "l.csv")); err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{file, filepath.Join(dir, ".", "f.csv"), true},
		{file, filepath.Join(dir, "l.csv"), true},                                   // (through the link)
		{filepath.Join(dir, "none"), filepath.Join(dir, "sub", "..", "none"), true}, // (absent, one path)
		{file, filepath.Join(dir, "none"), false},
		{"", "", false},
		{file, "", false},
	} {
		if got := SamePath(tc.a, tc.b); got != tc.want {
			t.Errorf("SamePath(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
