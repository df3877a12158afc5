package data

import (
	"os"
	"path/filepath"
	"testing"
)

// FileSHA256 of a file is that of its bytes (here "abc", FIPS 180-2's
// example); a folder is refused.
func TestFileSHA256(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "abc.csv")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := FileSHA256(p); err != nil || got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("FileSHA256(abc) = %s, %v", got, err)
	}
	if _, err := FileSHA256(dir); err == nil {
		t.Error("FileSHA256 of a folder: no error")
	}
}
