// Package atomicio writes files so that a reader sees either the old file
// or the whole new one, never a part: the bytes go to a temporary file in
// the same directory, which is synced and renamed over the target.
//
// A symbolic link is written through: the temporary file is made beside
// the file the link names, and renamed onto it; the link stays. A target
// that exists and is not a regular file (a directory, device, fifo or
// socket) is refused, never replaced.
//
// The temporary file is named SideName(base, "bbb-tmp-")+"PID-RANDOM" and
// holds an flock while it is written. One that a killed write left is
// removed by the next write to the same target once it is provably a
// leftover: named so, its process gone and its lock free.
package atomicio

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// ErrNotRegular is returned for a target that exists and is not a regular
// file (or a link to one).
var ErrNotRegular = errors.New("not a regular file")

// WriteFile calls write with a buffered writer to a temporary file beside
// path's target and renames it there only if write and every flush
// succeed. A new file gets mode 0644; a replaced one keeps its mode.
func WriteFile(path string, write func(io.Writer) error) error {
	commit, _, err := Prepare(path, write)
	if err != nil {
		return err
	}
	return commit()
}

// Prepare is WriteFile but for the rename: it writes and syncs the
// temporary file and returns commit, which renames it over path's target,
// and abort, which removes it (either is done once; the other then does
// nothing). Until then the temporary file is a write under way, which a
// hard stop removes (RemoveTemporaries): a caller that must replace two
// outputs together writes both before renaming either.
func Prepare(path string, write func(io.Writer) error) (commit func() error, abort func(), err error) {
	target, mode, err := Target(path)
	if err != nil {
		return nil, nil, fmt.Errorf("write %s: %w", path, err)
	}
	dir, base := split(target)
	prefix := SideName(base, tmpTag)
	removeLeftovers(dir, prefix)
	f, err := os.CreateTemp(dir, prefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, nil, fmt.Errorf("write %s: %w", path, err)
	}
	// Held until the rename: a concurrent write's clean-up never takes it.
	holdLock(f)
	inFlight.add(f.Name())
	var once sync.Once
	finish := func(rename bool) error {
		done := false
		var err error
		once.Do(func() {
			done = true
			if rename {
				err = os.Rename(f.Name(), target)
			}
			if err != nil || !rename {
				os.Remove(f.Name())
			}
			f.Close()
			inFlight.remove(f.Name())
		})
		if !done && rename {
			return fmt.Errorf("write %s: already committed or aborted", path)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	bw := bufio.NewWriter(f)
	for _, step := range []func() error{
		func() error { return write(bw) }, bw.Flush, f.Sync, func() error { return f.Chmod(mode) },
	} {
		if err := step(); err != nil {
			finish(false)
			return nil, nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	return func() error { return finish(true) }, func() { finish(false) }, nil
}

const tmpTag = "bbb-tmp-"

// inFlight are the temporary files of the writes under way.
var inFlight = temporaries{names: map[string]bool{}}

type temporaries struct {
	sync.Mutex
	names map[string]bool
}

func (t *temporaries) add(name string) {
	t.Lock()
	t.names[name] = true
	t.Unlock()
}

func (t *temporaries) remove(name string) {
	t.Lock()
	delete(t.names, name)
	t.Unlock()
}

// RemoveTemporaries removes the temporary files of the writes under way
// (their targets keep their old contents): for a process about to exit
// without returning from them (a hard stop at a signal), which would
// otherwise leave them for the next write to the same target to remove.
func RemoveTemporaries() {
	inFlight.Lock()
	defer inFlight.Unlock()
	for name := range inFlight.names {
		os.Remove(name)
	}
}

// Target follows path's symbolic links (those of its last element; a
// dangling one names the file to create) to the file a write replaces. It
// returns that path and the mode to write it with: 0644 for a new file,
// the old one's permissions else. A target that exists and is not a
// regular file is an error wrapping ErrNotRegular.
func Target(path string) (string, fs.FileMode, error) {
	for range 40 { // the kernel's limit on links followed
		// (if, not switch: gremlins counts a case's condition as never run)
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, 0o644, nil
		}
		if err != nil {
			return "", 0, err
		}
		if m := fi.Mode(); m&fs.ModeSymlink == 0 && !m.IsRegular() {
			return "", 0, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, Kind(m))
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, fi.Mode().Perm(), nil
		}
		link, _ := os.Readlink(path) // (on an error, "": the directory, refused above)
		dir, _ := split(path)
		if d, err := filepath.EvalSymlinks(dir); err == nil {
			dir = d // a relative link is relative to the real directory
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		path = link
	}
	return "", 0, fmt.Errorf("%s: %w", path, syscall.ELOOP)
}

// Kind names a file type that is not a regular file.
func Kind(m fs.FileMode) string {
	if m.IsDir() {
		return "a directory"
	}
	if m&fs.ModeNamedPipe != 0 {
		return "a fifo"
	}
	if m&fs.ModeSocket != 0 {
		return "a socket"
	}
	return "a device"
}

// split cuts path at its last separator without cleaning it ("a/l/.."
// keeps l's "..", which is the link target's parent, not a's).
func split(path string) (dir, base string) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return ".", path
	}
	return path[:i+1], path[i+1:]
}

// nameMax is NAME_MAX, the longest file name of Linux file systems.
const nameMax = 255

// SideRoom is what a caller may append to a SideName (digits that make it
// unique) and still fit NAME_MAX.
const SideRoom = 24

// SideTagMax is the longest tag SideName takes.
const SideTagMax = 16

// SideName names a file that belongs beside the entry base (its temporary
// file, a lock, a staging directory): "."+base+"."+tag, or, when that
// leaves less than SideRoom bytes below NAME_MAX, base cut short with a hash
// of the whole of it, so that the name fits and stays base's own. tag is a
// short constant (at most SideTagMax bytes); base is cut at the same
// length whatever the tag, so that the side names of one base differ in
// their tags only.
func SideName(base, tag string) string {
	name := "." + base + "." + tag
	if len(name) <= nameMax-SideRoom {
		return name
	}
	sum := sha256.Sum256([]byte(base))
	h := hex.EncodeToString(sum[:8])
	keep := nameMax - SideRoom - SideTagMax - len(h) - len(".~.")
	return "." + strings.ToValidUTF8(base[:keep], "") + "~" + h + "." + tag
}

// removeLeftovers removes the temporary files in dir that killed writes
// left: regular files named prefix+"PID-RANDOM" whose process is gone and
// whose flock is free. Nothing else: not a file of another name, nor one
// of a live process, nor one a writer still holds.
func removeLeftovers(dir, prefix string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		rest, ours := strings.CutPrefix(e.Name(), prefix)
		pid, random, _ := strings.Cut(rest, "-")
		p, err1 := strconv.Atoi(pid)
		_, err2 := strconv.Atoi(random)
		if !ours || err1 != nil || err2 != nil || !e.Type().IsRegular() || !processGone(p) {
			continue
		}
		removeUnlocked(filepath.Join(dir, e.Name()))
	}
}

// removeUnlocked removes path if no process holds its lock (lock_flock.go).
func removeUnlocked(path string) {
	f, _ := os.Open(path)
	defer f.Close()
	if tryLock(f) {
		os.Remove(path)
	}
}
