package modelfile

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbb-go/bbb/internal/boundedio"
)

// Read reads only what it can bound: a damaged byte (CRC-32), a device, a
// FIFO (without blocking), a file over MaxBytes (a sparse one) are refused
// with one line; an interrupt stops the read.
func TestReadBounded(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "m.npz")
	if err := Write(good, testFile(t, testModel(), 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(good); err != nil {
		t.Fatalf("the undamaged file: %v", err)
	}
	b, _ := os.ReadFile(good)
	// The last byte of w_mu0's values (2 × 3 float64 after a 128-byte
	// .npy header; the local header has no extra field before them).
	at := bytes.Index(b, []byte("\x00\x00w_mu0.npy"))
	at = bytes.Index(b[at:], []byte("\x93NUMPY")) + at + 128 + 6*8 - 1
	damaged := filepath.Join(dir, "damaged.npz")
	b[at] ^= 1
	os.WriteFile(damaged, b, 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.npz")
	f, _ := os.Create(sparse)
	if err := f.Truncate(MaxBytes + 1); err != nil {
		t.Skipf("no sparse file: %v", err)
	}
	f.Close()
	for _, c := range []struct{ path, want string }{
		{damaged, "array w_mu0: bad CRC-32"},
		{"/dev/zero", "not a regular file: a device"},
		{fifo, "not a regular file: a FIFO"},
		{sparse, "over the limit"},
	} {
		done := make(chan error, 1)
		go func() { _, err := Read(c.path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: %v, want one line with %q", filepath.Base(c.path), err, c.want)
			}
		case <-time.After(5 * time.Second): // a guard against a blocking open or an endless read
			t.Fatalf("%s: Read does not return", c.path)
		}
	}
	cause := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	boundedio.SetInterrupt(ctx)
	defer boundedio.SetInterrupt(context.Background())
	if _, err := Read(good); err != cause {
		t.Errorf("interrupted: %v", err)
	}
}
