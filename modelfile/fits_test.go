package modelfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckFits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.npz")
	if err := os.WriteFile(path, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	err := CheckFits(path, 1024)
	var e *TooBigError
	if !errors.As(err, &e) || e.Size != 2048 || e.Available != 1024 || err.Error() != "2.0 KiB file, 1.0 KiB of memory is available" {
		t.Errorf("a 2 KiB file, 1 KiB available: %v", err)
	}
	for _, tc := range []struct {
		path  string
		avail float64
	}{{path, 4096}, {path, 0}, {dir, 1}, {filepath.Join(dir, "none"), 1}} {
		if err := CheckFits(tc.path, tc.avail); err != nil {
			t.Errorf("CheckFits(%s, %v): %v", tc.path, tc.avail, err)
		}
	}
}
