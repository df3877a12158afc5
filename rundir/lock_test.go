//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package rundir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Lock excludes a second Lock and an Open of the same folder until it is
// released, and leaves no lock file behind.
func TestLock(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sweep")
	unlock, err := Lock(out)
	if err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(filepath.Dir(out), ".sweep.bbb-lock")
	if _, err := os.Stat(lockFile); err != nil {
		t.Errorf("lock file: %v", err)
	}
	var re *Error
	if _, err := Lock(out); !errors.As(err, &re) || !strings.Contains(err.Error(), "another bbb run is writing it") {
		t.Errorf("second Lock: %v", err)
	}
	if _, err := Open(out, "train"); !errors.As(err, &re) || !strings.Contains(err.Error(), "another bbb run is writing it") {
		t.Errorf("Open under Lock: %v", err)
	}
	unlock()
	unlock() // (a second call does nothing)
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("lock file after unlock: %v", err)
	}
	again, err := Lock(out)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	again()
	if _, err := Lock(""); err == nil {
		t.Error("Lock(\"\"): no error")
	}
}

// A symbolic link planted at the lock's name (to the run folder's own
// name, here) is refused, and nothing is made through it: the lock used
// to follow it, creating a file where the run folder goes.
func TestLockRefusesALink(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "o3")
	lock := filepath.Join(dir, ".o3.bbb-lock")
	if err := os.Symlink("o3", lock); err != nil {
		t.Fatal(err)
	}
	_, err := Lock(out)
	if err == nil || !strings.Contains(err.Error(), "the lock "+lock+" is a symbolic link, which bbb never makes: remove it") {
		t.Errorf("got %v, want the link refused", err)
	}
	if _, err := os.Lstat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s made through the link: %v", out, err)
	}
}
