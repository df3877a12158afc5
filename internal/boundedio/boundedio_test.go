//go:build unix

package boundedio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Open refuses what is not a regular file, before reading (a FIFO without
// a writer would block the open itself), and a file over the size bound.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := write(t, "big", "0123456789")
	link := filepath.Join(dir, "link")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, want string
		max        int64
	}{
		{"/dev/zero", "not a regular file: a device", 0},
		{link, "not a regular file: a device", 0},
		{fifo, "not a regular file: a FIFO", 0},
		{dir, "not a regular file: a directory", 0},
		{filepath.Join(dir, "none"), "no such file", 0},
		{big, "10 bytes: over the limit of 9 bytes", 9},
	} {
		done := make(chan error, 1)
		go func() {
			f, err := Open(c.path, c.max)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open(%s): %v, want %q", c.path, err, c.want)
			}
		case <-time.After(2 * time.Second): // a guard against a blocking open, not a benchmark
			t.Fatalf("Open(%s) blocks", c.path)
		}
	}
	if f, err := Open(big, 10); err != nil {
		t.Errorf("a file at the bound: %v", err)
	} else {
		f.Close()
	}
	if _, err := Open(big, 9); !errors.Is(err, ErrLimit) {
		t.Errorf("over the size: %v is not ErrLimit", err)
	}
}

// Reads return the file's bytes whole, through Read and ReadAt, whatever
// the chunking.
func TestReadWhole(t *testing.T) {
	text := strings.Repeat("abcdefghij", Chunk/10*3+7)
	p := write(t, "f", text)
	f, err := Open(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(text)) {
		t.Errorf("Size %d, want %d", f.Size(), len(text))
	}
	got, err := io.ReadAll(f)
	if err != nil || string(got) != text {
		t.Fatalf("ReadAll: %d bytes, %v", len(got), err)
	}
	buf := make([]byte, len(text)-5)
	if n, err := f.ReadAt(buf, 5); n != len(buf) || err != nil || string(buf) != text[5:] {
		t.Errorf("ReadAt: %d, %v", n, err)
	}
	buf = make([]byte, 10)
	if n, err := f.ReadAt(buf, int64(len(text)-4)); n != 4 || err != io.EOF {
		t.Errorf("ReadAt over the end: %d, %v; want 4, EOF", n, err)
	}
	if n, err := f.ReadAt(buf, int64(len(text))); n != 0 || err != io.EOF {
		t.Errorf("ReadAt at the end: %d, %v; want 0, EOF", n, err)
	}
	one := make([]byte, 2*Chunk)
	f2, _ := Open(p, 0)
	defer f2.Close()
	if n, err := f2.Read(one); n != Chunk || err != nil {
		t.Errorf("one Read: %d bytes, %v; want one chunk", n, err)
	}
}

// A file that grows after Open is read up to its size at Open.
func TestReadStopsAtOpenSize(t *testing.T) {
	p := write(t, "f", "12345")
	f, err := Open(p, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	os.WriteFile(p, []byte("1234567890"), 0o644)
	if got, err := io.ReadAll(f); string(got) != "12345" || err != nil {
		t.Errorf("read %q, %v", got, err)
	}
}

// A cancelled context stops Read and ReadAt at once, with its cause, and
// Open before opening; SetInterrupt's context is the default.
func TestCancelledStops(t *testing.T) {
	p := write(t, "f", strings.Repeat("x", 3*Chunk))
	cause := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	SetInterrupt(ctx)
	defer SetInterrupt(context.Background())
	f, err := Open(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, Chunk)
	if n, err := f.Read(buf); n != Chunk || err != nil {
		t.Fatalf("before the cancel: %d, %v", n, err)
	}
	cancel(cause)
	if n, err := f.Read(buf); n != 0 || err != cause {
		t.Errorf("Read after cancel: %d, %v", n, err)
	}
	all := make([]byte, 3*Chunk)
	if n, err := f.ReadAt(all, 0); n != 0 || err != cause {
		t.Errorf("ReadAt after cancel: %d, %v", n, err)
	}
	if _, err := Open(p, 0); err != cause {
		t.Errorf("Open after cancel: %v", err)
	}
	SetInterrupt(context.Background())
	if Interrupt().Err() != nil {
		t.Error("SetInterrupt(context.Background()) left a cancelled context")
	}
}

// LineLimit passes lines up to the bound and stops at the first longer
// one, naming it, without reading the rest.
func TestLineLimit(t *testing.T) {
	for _, c := range []struct {
		text string
		line int // 0: no error
	}{
		{"abc\nabcd\n", 0},
		{"abcd", 0},
		{"abc\nabcde\nx", 2},
		{"abcde", 1},
		{"\n\n\nabcdefgh", 4},
	} {
		got, err := io.ReadAll(LineLimit(strings.NewReader(c.text), 4))
		var le *LineError
		switch {
		case c.line == 0 && (err != nil || string(got) != c.text):
			t.Errorf("%q: %q, %v", c.text, got, err)
		case c.line != 0 && (!errors.As(err, &le) || le.Line != c.line || !errors.Is(err, ErrLimit) ||
			!strings.Contains(err.Error(), "line "+strconv.Itoa(c.line)+" is longer than 4 bytes")):
			t.Errorf("%q: %v, want line %d", c.text, err, c.line)
		case c.line != 0 && bytes.Count(got, []byte{'\n'}) != c.line-1:
			t.Errorf("%q: passed %q", c.text, got)
		}
	}
}

// A gigabyte without a newline (a sparse file: no real gigabyte on disk)
// fails at the line bound having read little more than it.
func TestLineLimitSparseGigabyte(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bf, err := Open(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer bf.Close()
	start := time.Now()
	n, err := io.Copy(io.Discard, LineLimit(bf, 1<<20))
	if !errors.Is(err, ErrLimit) || n > 2<<20 {
		t.Errorf("read %d bytes, %v", n, err)
	}
	if d := time.Since(start); d > 2*time.Second { // a guard against reading it all, not a benchmark
		t.Errorf("took %v", d)
	}
}
