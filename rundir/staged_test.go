package rundir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStagedPath(t *testing.T) {
	dir := t.TempDir()
	out, stage := filepath.Join(dir, "out"), filepath.Join(dir, ".out.stage")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(out, filepath.Join(dir, "link")); err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"", ""},
		{filepath.Join(out, "m.npz"), filepath.Join(stage, "m.npz")},
		{filepath.Join(dir, "link", "m.npz"), filepath.Join(stage, "m.npz")}, // (through the link)
		{filepath.Join(out, "sub", "m.npz"), filepath.Join(out, "sub", "m.npz")},
		{filepath.Join(dir, "m.npz"), filepath.Join(dir, "m.npz")},
	} {
		if got := StagedPath(tc.path, out, stage); got != tc.want {
			t.Errorf("StagedPath(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
