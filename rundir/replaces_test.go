package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplacesProfile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, content string
		ok            bool
	}{
		{"empty", "", true},
		{"gzip", "\x1f\x8b\x08rest", true},
		{"text", "not a profile", false},
		{"one byte", "\x1f", false},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		err := ReplacesProfile(p)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "is not a CPU profile")) {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
	}
	if !EmptyFile(filepath.Join(dir, "empty")) || EmptyFile(filepath.Join(dir, "gzip")) || EmptyFile(dir) || EmptyFile(filepath.Join(dir, "absent")) {
		t.Error("EmptyFile: an empty regular file only")
	}
}
