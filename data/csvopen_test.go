package data

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbb-go/bbb/internal/boundedio"
)

// ReadCSV refuses what it cannot bound, with one line naming the file: a
// device, a FIFO (without blocking), a line over MaxCSVLine (a sparse file
// of NULs, no newline); an interrupt stops the read.
func TestReadCSVBounded(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "d.csv")
	os.WriteFile(good, []byte("x,y\n"+strings.Repeat("1,2\n", 20)), 0o644)
	if tab, err := ReadCSV(good, CSVColumns{}); err != nil || tab.Rows() != 20 {
		t.Fatalf("the good file: %d rows, %v", tab.Rows(), err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.csv")
	f, _ := os.Create(sparse)
	if err := f.Truncate(4 * MaxCSVLine); err != nil {
		t.Skipf("no sparse file: %v", err)
	}
	f.Close()
	missing := filepath.Join(dir, "none.csv")
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "/dev/zero: not a regular file: a device"},
		{fifo, "fifo: not a regular file: a FIFO"},
		{sparse, "sparse.csv: line 1 is longer than 16777216 bytes"},
		{missing, "none.csv: no such file or directory"},
	} {
		done := make(chan error, 1)
		go func() { _, err := ReadCSV(c.path, CSVColumns{}); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: %v, want one line with %q", filepath.Base(c.path), err, c.want)
			}
		case <-time.After(5 * time.Second): // a guard against a blocking open or an endless read
			t.Fatalf("%s: ReadCSV does not return", c.path)
		}
	}
	cause := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	boundedio.SetInterrupt(ctx)
	defer boundedio.SetInterrupt(context.Background())
	if _, err := ReadCSV(good, CSVColumns{}); err == nil || !strings.Contains(err.Error(), "d.csv: interrupted by SIGINT") {
		t.Errorf("interrupted: %v", err)
	}
}
