package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Error is a refusal of the folder before any work: the caller reports it
// as bad input, naming the flag that gave the folder.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

func refusef(format string, a ...any) error { return &Error{fmt.Sprintf(format, a...)} }

// Hooks are for tests only: Crash is called at each of CrashPoints (a test
// kills the process there), and NoExchange takes the two-rename path of
// systems without renameat2.
var Hooks struct {
	Crash      func(point string)
	NoExchange bool
}

// CrashPoints are the steps after which Hooks.Crash is called, in the
// order a run passes them (docs/RUN-DIRECTORY.md says what the next run
// does after a kill at each). "aside" is reached only on the two-rename
// path; "carrying" and "carried" also while the next run clears up.
var CrashPoints = []string{"staged", "manifest", "aside", "swapped", "carrying", "carried", "retired"}

func crashAt(point string) {
	if Hooks.Crash != nil {
		Hooks.Crash(point)
	}
}

// Dir is a run folder open for writing.
type Dir struct {
	Out     string // the folder, absolute (through a symlink: the folder it names)
	Stage   string // where the run writes its files; Commit puts them in Out
	Command string // written into the manifest; another command's folder is refused
	// Kept says which leftovers of earlier runs were kept because they
	// hold something bbb did not write that Out already has a name for.
	Kept []string
	// Previous lists the files of the run Out held when it was opened (its
	// manifest's; nil for none): a run that fails but would keep what it
	// wrote (a diverged training's losses) commits only where it replaces
	// no finished run.
	Previous []string

	parent, base, suffix string
	lockPath             string
	lock                 *os.File
	mu                   sync.Mutex // Commit and Abort (Abort may come from a signal's goroutine)
	closed               bool
}

// Open takes the folder out for a run of command: it refuses a mount
// point, a folder another run holds, one holding files bbb did not write
// and one another command wrote; it finishes what killed runs left beside
// it and makes the stage. Every error is a refusal (*Error).
func Open(out, command string) (*Dir, error) {
	d, err := newDir(out)
	if err != nil {
		return nil, err
	}
	d.Command = command
	if err := checkFolder(out, d.Out); err != nil {
		return nil, err
	}
	if err := d.takeLock(); err != nil {
		return nil, err
	}
	d.recover()
	if err := d.checkOwned(); err != nil {
		d.release()
		return nil, err
	}
	if mk := readMarker(d.Out); mk.kind == complete {
		d.Previous = mk.m.Files
	}
	if err := d.makeStage(); err != nil {
		d.release()
		return nil, err
	}
	crashAt("staged")
	return d, nil
}

// newDir is the Dir of out, not yet taken: its path resolved, the folder
// it lies in made, its lock named.
func newDir(out string) (*Dir, error) {
	abs, err := resolve(out)
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := os.MkdirAll(parent, 0o777); err != nil {
		return nil, refusef("cannot create %s: %v", parent, cause(err))
	}
	return &Dir{Out: abs, parent: parent, base: base, lockPath: filepath.Join(parent, sideName(base, "lock"))}, nil
}

// Check refuses, as Open would, a folder a run of command may not
// replace, without taking it or changing anything: callers refuse bad
// input with it before any work (Open checks again, under the lock, after
// clearing up what killed runs left).
func Check(out, command string) error {
	abs, err := resolve(out)
	if err != nil {
		return err
	}
	if err := checkFolder(out, abs); err != nil {
		return err
	}
	d := &Dir{Out: abs, Command: command}
	return d.checkOwned()
}

// resolve is the folder a run into out replaces: absolute, through a
// symlink to a folder (the run replaces the folder it names, and the link
// stays).
func resolve(out string) (string, error) {
	if strings.TrimSpace(out) == "" {
		return "", refusef("empty path")
	}
	abs, err := filepath.Abs(filepath.Clean(out))
	if err != nil {
		return "", refusef("%v", err)
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return "", refusef("a symlink to nothing usable: %v", cause(err))
		}
		abs = real
	}
	if abs == filepath.Dir(abs) {
		return "", refusef("cannot replace a root directory")
	}
	return abs, nil
}

// checkFolder refuses an existing abs that is not a folder, holds the
// current directory, or is a mount point. out is the path as given, for
// the way out the refusal suggests.
func checkFolder(out, abs string) error {
	fi, err := os.Stat(abs)
	if err != nil {
		return nil // absent: made by the swap
	}
	if !fi.IsDir() {
		return refusef("not a directory")
	}
	if wd, err := os.Getwd(); err == nil && within(wd, abs) {
		return refusef("is the current directory or holds it: bbb replaces --out as a whole; give a folder inside it (e.g. --out %s)",
			filepath.Join(out, "run"))
	}
	if IsMountPoint(abs) {
		return refusef("is a mount point: bbb replaces a run folder by renaming a finished one into its place, which a mount point cannot take; give a folder inside it (e.g. --out %s)",
			filepath.Join(out, "run"))
	}
	return nil
}

// recover finishes what killed runs into this folder left beside it (the
// lock is held, so none of them is running): a folder moved aside whose
// replacement never came goes back; every other leftover is retired.
func (d *Dir) recover() {
	stagePre, oldPre := sideName(d.base, "stage-"), sideName(d.base, "old-")
	ents, _ := os.ReadDir(d.parent)
	var left []string
	for _, e := range ents {
		if n := e.Name(); e.IsDir() && (strings.HasPrefix(n, stagePre) || strings.HasPrefix(n, oldPre)) {
			left = append(left, n)
		}
	}
	if _, err := os.Lstat(d.Out); errors.Is(err, fs.ErrNotExist) {
		for i, n := range left {
			if strings.HasPrefix(n, oldPre) && os.Rename(filepath.Join(d.parent, n), d.Out) == nil {
				left = append(left[:i], left[i+1:]...)
				break
			}
		}
	}
	for _, n := range left {
		d.retire(filepath.Join(d.parent, n), strings.HasPrefix(n, stagePre))
	}
}

// retire empties a folder this protocol made beside Out (a stage, or the
// run a swap replaced) and removes it: files its marker proves bbb's are
// deleted; everything else (subfolders, other runs' side files, a file
// a user added) moves into Out. What Out already has a name for stays,
// with the marker, and the folder is kept. No other function deletes.
func (d *Dir) retire(dir string, inStage bool) {
	mk := readMarker(dir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	handled := 0
	for _, e := range ents {
		n := e.Name()
		if n == Marker {
			continue
		}
		p := filepath.Join(dir, n)
		if e.Type().IsRegular() && mk.owns(n, inStage) {
			os.Remove(p)
		} else if _, err := os.Lstat(filepath.Join(d.Out, n)); errors.Is(err, fs.ErrNotExist) {
			os.Rename(p, filepath.Join(d.Out, n))
		}
		if handled++; handled == 1 {
			crashAt("carrying")
		}
	}
	crashAt("carried")
	rest, _ := os.ReadDir(dir)
	var kept []string
	for _, e := range rest {
		if e.Name() != Marker {
			kept = append(kept, e.Name())
		}
	}
	if len(kept) > 0 {
		d.Kept = append(d.Kept, fmt.Sprintf("kept %s: it holds %s, which bbb did not write and %s has a file of that name", dir, strings.Join(kept, ", "), d.Out))
		return
	}
	os.Remove(filepath.Join(dir, Marker))
	os.Remove(dir)
}

// checkOwned refuses a folder another command wrote, and one holding a
// file its manifest does not list (a mistaken --out . or --out $HOME, a
// user's notes in a run folder, any file in a folder without a manifest):
// the run would replace them. Subfolders (other runs) are carried, never
// in the way.
func (d *Dir) checkOwned() error {
	ents, err := os.ReadDir(d.Out)
	if err != nil {
		return nil // absent: made by the swap
	}
	mk := readMarker(d.Out)
	if c := mk.command(); c != "" && d.Command != "" && c != d.Command {
		return refusef("holds the output of `bbb %s`, which `bbb %s` would replace; pick another directory", c, d.Command)
	}
	var foreign []string
	for _, e := range ents {
		n := e.Name()
		if e.Type().IsRegular() && IsMountPoint(filepath.Join(d.Out, n)) {
			// Not bbb's, whatever the manifest says: it would move with the
			// old run into a stage that could never be removed.
			return refusef("holds %s, which is a mount point (a file mounted into place): bbb replaces --out by renaming it, which a mount point cannot take; unmount it or pick another directory", n)
		}
		if e.IsDir() || isSide(n) || (n == Marker && mk.kind != noMarker) || (e.Type().IsRegular() && mk.owns(n, false)) {
			continue
		}
		foreign = append(foreign, n)
	}
	if len(foreign) == 0 {
		return nil
	}
	named := strings.Join(foreign[:min(3, len(foreign))], ", ")
	if len(foreign) > 3 {
		named += fmt.Sprintf(" and %d more", len(foreign)-3)
	}
	switch mk.kind {
	case complete, staging:
		return refusef("holds files its manifest does not list (%s): not written by the runs of this folder; bbb replaces --out as a whole, so move them or pick an empty or new directory", named)
	case legacyMarker:
		return refusef("was written by a bbb from before run folders listed their files, so bbb cannot tell them from yours (%s); move them or pick an empty or new directory", named)
	}
	return refusef("is not a bbb run folder (no %s manifest) and holds files (%s); bbb replaces --out as a whole, so it writes only into a new or empty folder or one of its own runs: move them or pick another directory", Marker, named)
}

// makeStage makes the stage beside Out with the mode Out has (a new Out:
// the mode mkdir gives, 0777 less the umask) and its staging manifest.
func (d *Dir) makeStage() error {
	for range 100 {
		suffix := strconv.FormatUint(rand.Uint64(), 36)
		p := filepath.Join(d.parent, sideName(d.base, "stage-")+suffix)
		err := os.Mkdir(p, 0o777)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return refusef("cannot write in %s: %v", d.parent, cause(err))
		}
		d.Stage, d.suffix = p, suffix
		if fi, err := os.Stat(d.Out); err == nil {
			os.Chmod(p, fi.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeSticky))
		}
		if err := writeMarker(p, manifest{Command: d.Command, State: stateStaging}); err != nil {
			d.retire(p, true)
			return refusef("cannot write: %v", cause(err))
		}
		return nil
	}
	return refusef("cannot make a staging folder in %s", d.parent)
}

// Commit lists the stage's files in its manifest and puts the stage in
// place of Out in one rename (renameat2 RENAME_EXCHANGE; elsewhere Out is
// moved aside first), then retires the replaced run.
func (d *Dir) Commit() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errors.New("run folder already closed")
	}
	defer d.release()
	var files []string
	ents, err := os.ReadDir(d.Stage)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if n := e.Name(); e.Type().IsRegular() && n != Marker && n != Marker+".tmp" {
			files = append(files, n)
		}
	}
	if err := writeMarker(d.Stage, manifest{Command: d.Command, State: stateComplete, Files: files}); err != nil {
		d.retire(d.Stage, true)
		return err
	}
	syncDir(d.Stage)
	crashAt("manifest")
	if _, err := os.Lstat(d.Out); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(d.Stage, d.Out); err != nil {
			d.retire(d.Stage, true)
			return err
		}
		crashAt("swapped")
		return syncDir(d.parent)
	}
	replaced := d.Stage
	err = errors.ErrUnsupported
	if !Hooks.NoExchange {
		err = exchange(d.Stage, d.Out)
	}
	if err != nil {
		old := filepath.Join(d.parent, sideName(d.base, "old-")+d.suffix)
		if err := os.Rename(d.Out, old); err != nil {
			d.retire(d.Stage, true)
			return err
		}
		crashAt("aside")
		if err := os.Rename(d.Stage, d.Out); err != nil {
			os.Rename(old, d.Out)
			d.retire(d.Stage, true)
			return err
		}
		replaced = old
	}
	crashAt("swapped")
	syncDir(d.parent)
	d.retire(replaced, false)
	crashAt("retired")
	return nil
}

// Abort retires the stage: Out keeps the previous run. It does nothing
// after Commit or a first Abort.
func (d *Dir) Abort() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.retire(d.Stage, true)
	d.release()
}

func (d *Dir) release() {
	d.closed = true
	if d.lock != nil {
		os.Remove(d.lockPath)
		d.lock.Close()
		d.lock = nil
	}
}

func syncDir(dir string) error {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
	return nil
}

// cause is err without the path an *fs.PathError repeats.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// within reports whether path is dir or inside it, symlinks resolved.
func within(path, dir string) bool {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		path = r
	}
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
