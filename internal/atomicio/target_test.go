//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package atomicio

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func writeString(path, s string) error {
	return WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, s); return err })
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}

// A write through a symbolic link replaces the file it names and keeps the
// link: absolute and relative links, a chain of two, a dangling one (the
// file is created), and a relative link in a directory reached through a
// link ("../t" is relative to the real directory, not the lexical one).
func TestWriteFileThroughLinks(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "t"), []byte("old"), 0o644))
	must(os.Symlink(filepath.Join(root, "t"), filepath.Join(root, "abs")))
	must(os.Symlink("t", filepath.Join(root, "rel")))
	must(os.Symlink("rel", filepath.Join(root, "chain")))
	must(os.Symlink("new", filepath.Join(root, "dangling")))
	must(os.Symlink(real, filepath.Join(root, "L")))
	must(os.Symlink("../up", filepath.Join(real, "f")))
	for _, tc := range []struct{ link, target string }{
		{"abs", "t"}, {"rel", "t"}, {"chain", "t"}, {"dangling", "new"}, {"L/f", "a/up"},
	} {
		link := filepath.Join(root, tc.link)
		fi, err := os.Lstat(link)
		must(err)
		if err := writeString(link, "via "+tc.link); err != nil {
			t.Fatalf("%s: %v", tc.link, err)
		}
		if got := readString(t, filepath.Join(root, tc.target)); got != "via "+tc.link {
			t.Errorf("%s: target %s holds %q", tc.link, tc.target, got)
		}
		if after, err := os.Lstat(link); err != nil || after.Mode()&os.ModeSymlink == 0 || !os.SameFile(fi, after) {
			t.Errorf("%s: the link was replaced (%v, %v)", tc.link, after.Mode(), err)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "up")); err == nil {
		t.Error("L/f -> ../up was resolved lexically (root/up written)")
	}
}

// A target that exists and is not a regular file is refused and left as it
// is: a directory, a fifo (which a write would block on), a socket, and
// those behind a link; a loop of links and a path through a file fail.
func TestWriteFileRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	os.Symlink("fifo", filepath.Join(dir, "tofifo"))
	os.Symlink("loop2", filepath.Join(dir, "loop1"))
	os.Symlink("loop1", filepath.Join(dir, "loop2"))
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	for _, tc := range []struct {
		name string
		want error
		kind string
	}{
		{".", ErrNotRegular, "a directory"},
		{"fifo", ErrNotRegular, "a fifo"},
		{"sock", ErrNotRegular, "a socket"},
		{"tofifo", ErrNotRegular, "a fifo"},
		{"loop1", syscall.ELOOP, ""},
		{"file/x", syscall.ENOTDIR, ""},
		{"missing/x", syscall.ENOENT, ""},
	} {
		p := filepath.Join(dir, tc.name)
		before, _ := os.Lstat(p)
		err := writeString(p, "x")
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.kind) || !strings.HasPrefix(err.Error(), "write "+p+": ") {
			t.Errorf("%s: err %v, want %v (%s)", tc.name, err, tc.want, tc.kind)
		}
		if after, _ := os.Lstat(p); before != nil && (after == nil || !os.SameFile(before, after)) {
			t.Errorf("%s: replaced", tc.name)
		}
	}
	if n := names(t, dir); len(n) != 6 {
		t.Errorf("files left: %v", n)
	}
}

func TestKind(t *testing.T) {
	for m, want := range map[os.FileMode]string{
		os.ModeDir: "a directory", os.ModeNamedPipe: "a fifo", os.ModeSocket: "a socket",
		os.ModeDevice: "a device", os.ModeDevice | os.ModeCharDevice: "a device",
	} {
		if got := Kind(m); got != want {
			t.Errorf("Kind(%v) = %q, want %q", m, got, want)
		}
	}
}

// A replaced file keeps its permissions (a private 0600 file stays
// private); a new one is 0644.
func TestWriteFileKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "private")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeString(p, "new"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode())
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct{ path, dir, base string }{
		{"f", ".", "f"}, {"/f", "/", "f"}, {"a/b", "a/", "b"}, {"a/l/../f", "a/l/../", "f"},
	} {
		if d, b := split(tc.path); d != tc.dir || b != tc.base {
			t.Errorf("split(%q) = %q, %q; want %q, %q", tc.path, d, b, tc.dir, tc.base)
		}
	}
}

// Side names fit NAME_MAX with SideRoom to spare, whatever the base's
// length, and stay unique to the base: a short name is kept as it is, a
// long one is cut and carries a hash of the whole.
func TestSideName(t *testing.T) {
	const tag = "bbb-stage-"
	limit := nameMax - SideRoom
	atLimit := strings.Repeat("a", limit-len(tag)-2) // "."+base+"."+tag is exactly limit bytes
	if got := SideName(atLimit, tag); got != "."+atLimit+"."+tag {
		t.Errorf("a name of %d bytes was changed: %q", limit, got)
	}
	if got := SideName("m.npz", tag); got != ".m.npz.bbb-stage-" {
		t.Errorf("SideName(m.npz) = %q", got)
	}
	long1, long2 := strings.Repeat("b", 240)+"1", strings.Repeat("b", 240)+"2"
	seen := map[string]bool{}
	for _, base := range []string{atLimit + "x", long1, long2, strings.Repeat("é", 120)} {
		got := SideName(base, tag)
		if len(got) > limit || len(got) < limit-SideTagMax+len(tag)-1 || !strings.HasPrefix(got, "."+base[:100]) || !strings.HasSuffix(got, "."+tag) || seen[got] {
			t.Errorf("SideName(%d bytes) = %q (%d bytes), want %d, unique, prefix and tag kept", len(base), got, len(got), limit)
		}
		if !strings.Contains(got, "~") || strings.ToValidUTF8(got, "?") != got {
			t.Errorf("SideName(%d bytes) = %q: no hash, or a cut character", len(base), got)
		}
		seen[got] = true
	}
	if got := SideName(long1, tag); len(got) != limit-SideTagMax+len(tag) {
		t.Errorf("len %d, want %d", len(got), limit-SideTagMax+len(tag))
	}
	// The side names of one long base differ in their tags only (a run's
	// staging directory is renamed to its "old" one by replacing the tag).
	if a, b := SideName(long1, "bbb-stage-"), SideName(long1, "bbb-old-"); strings.TrimSuffix(a, "bbb-stage-") != strings.TrimSuffix(b, "bbb-old-") {
		t.Errorf("%q and %q differ before the tag", a, b)
	}
}

// A write into a long name (NAME_MAX less a few) works: its temporary
// file's name fits.
func TestWriteFileLongName(t *testing.T) {
	p := filepath.Join(t.TempDir(), strings.Repeat("n", 250))
	if err := writeString(p, "x"); err != nil {
		t.Fatal(err)
	}
	if readString(t, p) != "x" {
		t.Fatal("not written")
	}
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Skip("cannot run true:", err)
	}
	return c.Process.Pid
}

// A write removes the temporary files that killed writes to the same
// target left (bbb's name, a dead process, no lock) and nothing else: not
// those of a live process, one whose lock is held, a directory, another
// target's, a name that only looks like one.
func TestWriteFileRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	dead := strconv.Itoa(deadPID(t))
	prefix := SideName("m.npz", tmpTag)
	gone := []string{prefix + dead + "-1", prefix + dead + "-22"}
	kept := []string{
		prefix + strconv.Itoa(os.Getpid()) + "-3", // live (this process)
		prefix + "1-4",       // live (init)
		prefix + dead + "-5", // locked below
		prefix + dead + "-x", // not a random number
		prefix + "x-6",       // not a pid
		prefix + dead,        // no random part
		SideName("other.npz", tmpTag) + dead + "-7",
		dead + "-8",
		".m.npz.tmp123", // an older bbb's, unprovable
		"m.npz.bbb-tmp-" + dead + "-9",
	}
	for _, n := range append(append([]string{}, gone...), kept...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("leftover"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	subdir := prefix + dead + "-10"
	if err := os.Mkdir(filepath.Join(dir, subdir), 0o755); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(filepath.Join(dir, prefix+dead+"-5"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if err := writeString(filepath.Join(dir, "m.npz"), "model"); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, n := range names(t, dir) {
		have[n] = true
	}
	for _, n := range gone {
		if have[n] {
			t.Errorf("leftover %s kept", n)
		}
	}
	for _, n := range append(kept, subdir, "m.npz") {
		if !have[n] {
			t.Errorf("%s removed", n)
		}
	}
}

// While a write runs, its temporary file is named as bbb's, holds this
// process's id and is locked, so that no other write's clean-up takes it.
func TestWriteFileLocksItsTemp(t *testing.T) {
	dir := t.TempDir()
	err := writeString(filepath.Join(dir, "f"), "")
	if err != nil {
		t.Fatal(err)
	}
	err = WriteFile(filepath.Join(dir, "f"), func(w io.Writer) error {
		n := names(t, dir)
		want := SideName("f", tmpTag) + strconv.Itoa(os.Getpid()) + "-"
		if len(n) != 2 || !strings.HasPrefix(n[0], want) {
			t.Fatalf("entries %v, want f and %s*", n, want)
		}
		g, err := os.Open(filepath.Join(dir, n[0]))
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		if err := syscall.Flock(int(g.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); !errors.Is(err, syscall.EWOULDBLOCK) {
			t.Errorf("the temporary file is not locked: flock %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
