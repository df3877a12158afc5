package modelfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReplaceable(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.npz")
	if err := os.WriteFile(model, encode(t, testFile(t, testModel(), 0.5)), 0o644); err != nil {
		t.Fatal(err)
	}
	empty, other := filepath.Join(dir, "empty"), filepath.Join(dir, "notes.txt")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(other, []byte("my notes"), 0o644)
	for _, c := range []struct {
		path string
		ok   bool
	}{{model, true}, {empty, true}, {other, false}, {dir, false}} {
		if err := Replaceable(c.path); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok %v", c.path, err, c.ok)
		}
	}
}
