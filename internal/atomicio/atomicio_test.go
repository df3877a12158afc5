//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package atomicio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestWriteFileKeepsOldOnError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	if err := WriteFile(p, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(p, func(w io.Writer) error { io.WriteString(w, "partial"); return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "old" {
		t.Fatalf("file = %q, want the old content", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
}

// A write that fails after the callback returns (the buffered bytes hit a
// full disk when they are flushed) leaves the old file whole: the rename
// must come after every flush. The temporary file's descriptor is pointed
// at /dev/full from inside the callback.
func TestWriteFileKeepsOldOnFlushError(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	if err := WriteFile(p, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	err = WriteFile(p, func(w io.Writer) error {
		fd := tempFD(t, dir)
		if err := syscall.Dup2(int(full.Fd()), fd); err != nil {
			t.Fatal(err)
		}
		_, err := io.WriteString(w, "new, short enough to stay in the buffer")
		return err
	})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("err = %v, want ENOSPC", err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "old" {
		t.Fatalf("file = %q, want the old content", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
}

// tempFD finds this process's open descriptor of a temporary file in dir.
func tempFD(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && filepath.Dir(target) == dir && strings.Contains(filepath.Base(target), tmpTag) {
			fd, _ := strconv.Atoi(e.Name())
			return fd
		}
	}
	t.Fatal("no temporary file open in", dir)
	return -1
}

// A successful write replaces the content whole, with mode 0644.
func TestWriteFileReplaces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.txt")
	for _, s := range []string{"first", strings.Repeat("second ", 2000)} { // the second is over bufio's 4096 bytes
		if err := WriteFile(p, func(w io.Writer) error { _, err := io.WriteString(w, s); return err }); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		if string(b) != s {
			t.Fatalf("file has %d bytes, want %d", len(b), len(s))
		}
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode(), err)
	}
}

// RemoveTemporaries removes the temporary file of a write under way (a
// hard stop's clean-up); the write then fails and its target keeps its old
// contents. A finished write leaves nothing for it to remove.
func TestRemoveTemporaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.npz")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "done.csv"), func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Fatal(err)
	}
	writing, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- WriteFile(path, func(w io.Writer) error {
			close(writing)
			<-release
			_, err := io.WriteString(w, "new")
			return err
		})
	}()
	<-writing
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".model.npz.bbb-tmp-*")); len(tmps) != 1 {
		t.Fatalf("temporary files while writing: %v", tmps)
	}
	RemoveTemporaries()
	close(release)
	if err := <-errc; err == nil {
		t.Error("the write whose temporary file was removed succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d entries, want model.npz and done.csv", len(entries))
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("target %q, want old", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "done.csv")); string(b) != "x" {
		t.Errorf("finished write %q", b)
	}
}

// Prepare writes the temporary file and leaves the target as it was until
// commit; abort removes the temporary file; each is done once.
func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.npz")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	commit, abort, err := Prepare(path, write("new"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("before commit: %q", b)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".m.npz.bbb-tmp-*")); len(tmps) != 1 {
		t.Errorf("temporary files before commit: %v", tmps)
	}
	if err := commit(); err != nil {
		t.Fatal(err)
	}
	abort() // (after commit: nothing)
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("after commit: %q", b)
	}
	if err := commit(); err == nil {
		t.Error("a second commit: no error")
	}
	_, abort, err = Prepare(path, write("newer"))
	if err != nil {
		t.Fatal(err)
	}
	abort()
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("after abort: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries after abort, want the file alone", len(entries))
	}
	// A rename that fails (the target became a folder that is not empty)
	// is an error and removes the temporary file.
	commit, _, err = Prepare(path, write("newest"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := commit(); err == nil {
		t.Error("a rename onto a folder: no error")
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".m.npz.bbb-tmp-*")); len(tmps) != 0 {
		t.Errorf("temporary files after a failed rename: %v", tmps)
	}
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Prepare(path, func(io.Writer) error { return errors.New("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a failed write: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d entries after a failed write", len(entries))
	}
}
