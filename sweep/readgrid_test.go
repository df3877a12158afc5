package sweep

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ReadGrid parses a file; a missing file or a folder is a *FileError
// without the path in its reason, a bad line a *GridError naming the file.
func TestReadGrid(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.grid")
	if err := os.WriteFile(path, []byte("hidden = [8, 16]\nepochs = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := ReadGrid(path)
	if err != nil || g.File != path || len(g.Axes) != 2 {
		t.Fatalf("%+v, %v", g, err)
	}
	for name, want := range map[string]string{filepath.Join(dir, "none"): "no such file or directory", dir: "not a regular file: a directory"} {
		_, err := ReadGrid(name)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != name || fe.Err.Error() != want || err.Error() != name+": "+want {
			t.Errorf("%s: %v, want a FileError %q", name, err, want)
		}
	}
	if err := os.WriteFile(path, []byte("hidden 8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var ge *GridError
	if _, err := ReadGrid(path); !errors.As(err, &ge) || !strings.Contains(err.Error(), path) {
		t.Errorf("a bad line: %v, want a GridError naming %s", err, path)
	}
}

// ParseSeeds trims each seed and refuses anything but whole numbers, and
// a seed listed twice, however written.
func TestParseSeeds(t *testing.T) {
	if s, err := ParseSeeds(" 1, 2 ,30"); err != nil || !slices.Equal(s, []string{"1", "2", "30"}) {
		t.Errorf("got %q, %v", s, err)
	}
	// Written as the seed it is: 01 is seed 1 (a second 1 is refused).
	if s, err := ParseSeeds("01,007,0"); err != nil || !slices.Equal(s, []string{"1", "7", "0"}) {
		t.Errorf("got %q, %v", s, err)
	}
	for bad, want := range map[string]string{"1,2,1": "seed 1 listed twice", "7, 07": "seed 7 listed twice"} {
		if _, err := ParseSeeds(bad); err == nil || err.Error() != `sweep: seeds "`+bad+`": `+want {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for _, bad := range []string{"", "1,,2", "1,x", "-1", "1.5"} {
		if _, err := ParseSeeds(bad); err == nil || err.Error() != `sweep: seeds "`+bad+`": want comma-separated whole numbers` {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
