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
