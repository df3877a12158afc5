package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// A run's outputs are whole or absent: train and bench write every file
// into a staging directory beside --out (.NAME.bbb-stage-*), and only a run
// that finished (or diverged, which keeps its losses) swaps it in for --out
// in one rename (Linux renameat2 RENAME_EXCHANGE; elsewhere two renames).
// Subdirectories of --out (other runs: out/bench, out/torch) are carried
// into the new run directory. A failed or interrupted run removes its
// staging directory; what a killed
// run left (stage, the replaced run, a stale lock file) is removed by the
// next run into the same --out, which first takes an flock on
// .NAME.bbb-lock beside it: a second concurrent run is refused.

// runMarker is written into every run directory: a --out that holds other
// files than bbb's is never replaced.
const runMarker = ".bbb-run"

// outputNames are files a run directory may hold (also from bbb versions
// that wrote no marker).
var outputNames = []string{"summary.json", "losses.csv", "graph.dot", "bench.json", "model.npz", "pred.csv", "pred_val.csv"}

type runDir struct {
	flag     string // the flag that named it, for errors
	out      string // the final directory
	Stage    string // where this run writes
	lockPath string
	lock     *os.File
}

// openRunDir checks out, takes its lock, removes what a killed run left and
// makes the staging directory. Errors are usage errors naming flagName.
func openRunDir(flagName, out string) (*runDir, error) {
	if strings.TrimSpace(out) == "" {
		return nil, usagef("%s: empty path", flagName)
	}
	out = filepath.Clean(out)
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, usagef("%s %s: %v", flagName, out, err)
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if abs == parent {
		return nil, usagef("%s %s: cannot replace a root directory", flagName, out)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, usagef("%s %s: cannot create %s: %v", flagName, out, parent, unwrapPath(err))
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, usagef("%s %s: not a directory", flagName, out)
	}
	rd := &runDir{flag: flagName, out: abs, lockPath: filepath.Join(parent, sideName(base, "bbb-lock"))}
	if err := rd.takeLock(); err != nil {
		return nil, err
	}
	if err := rd.checkOwned(); err != nil {
		rd.release()
		return nil, err
	}
	rd.removeLeftovers(parent, base)
	stage, err := os.MkdirTemp(parent, sideName(base, "bbb-stage-"))
	if err != nil {
		rd.release()
		return nil, usagef("%s %s: cannot write in %s: %v", flagName, out, parent, unwrapPath(err))
	}
	rd.Stage = stage
	lockPath := rd.lockPath
	setHardExitCleanup(func() { // a forced exit: no Abort runs
		os.RemoveAll(stage)
		os.Remove(lockPath)
	})
	if err := os.WriteFile(filepath.Join(stage, runMarker), []byte("a bbb run directory: bbb replaces it as a whole\n"), 0o644); err != nil {
		rd.Abort()
		return nil, usagef("%s %s: cannot write: %v", flagName, out, unwrapPath(err))
	}
	return rd, nil
}

// takeLock holds an exclusive flock on the lock file, refusing if another
// process has it. The file is removed at release, so the lock is retaken if
// the path no longer names the locked file.
func (rd *runDir) takeLock() error {
	for range 10 {
		f, err := os.OpenFile(rd.lockPath, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return usagef("%s %s: cannot create the lock %s: %v", rd.flag, rd.out, rd.lockPath, unwrapPath(err))
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return usagef("%s %s: another bbb run is writing it (it holds %s); wait for it or pick another directory", rd.flag, rd.out, rd.lockPath)
			}
			return usagef("%s %s: lock %s: %v", rd.flag, rd.out, rd.lockPath, err)
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(rd.lockPath)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			rd.lock = f
			fmt.Fprintf(f, "%d\n", os.Getpid())
			return nil
		}
		f.Close() // removed by the run that held it: take the new one
	}
	return usagef("%s %s: cannot take the lock %s", rd.flag, rd.out, rd.lockPath)
}

// checkOwned refuses an existing, non-empty --out that is not a bbb run
// directory (no marker, and a file bbb does not write), so a mistaken
// --out . or --out $HOME is never replaced.
func (rd *runDir) checkOwned() error {
	ents, err := os.ReadDir(rd.out)
	if err != nil {
		return nil // absent: created by the swap
	}
	var foreign []string
	for _, e := range ents {
		n := e.Name()
		switch {
		case n == runMarker:
			return nil
		case e.IsDir(), carried(n), slices.Contains(outputNames, n), isOutputExt(n),
			strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp"):
		default:
			foreign = append(foreign, n)
		}
	}
	if len(foreign) > 0 {
		return usagef("%s %s: holds files bbb did not write (%s); bbb replaces --out as a whole, so pick an empty or new directory",
			rd.flag, rd.out, strings.Join(foreign[:min(3, len(foreign))], ", "))
	}
	return nil
}

func isOutputExt(n string) bool {
	switch strings.ToLower(filepath.Ext(n)) {
	case ".png", ".svg", ".pdf", ".prof", ".npz":
		return true
	}
	return false
}

// removeLeftovers removes the staging and replaced directories of earlier
// runs (killed before they cleaned up); the lock is held, so none is live.
func (rd *runDir) removeLeftovers(parent, base string) {
	for _, pat := range []string{sideName(base, "bbb-stage-") + "*", sideName(base, "bbb-old-") + "*"} {
		m, _ := filepath.Glob(filepath.Join(parent, pat))
		for _, p := range m {
			os.RemoveAll(p)
		}
	}
}

// Commit swaps the staging directory in for --out and removes the
// replaced run.
func (rd *runDir) Commit() error {
	defer rd.release()
	if d, err := os.Open(rd.Stage); err == nil {
		d.Sync()
		d.Close()
	}
	if _, err := os.Lstat(rd.out); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(rd.Stage, rd.out); err != nil {
			os.RemoveAll(rd.Stage)
			return fmt.Errorf("%s %s: %w", rd.flag, rd.out, err)
		}
		return syncDir(filepath.Dir(rd.out))
	}
	if err := exchange(rd.Stage, rd.out); err == nil {
		carryOver(rd.Stage, rd.out) // rd.Stage is now the replaced run
		os.RemoveAll(rd.Stage)
		return syncDir(filepath.Dir(rd.out))
	}
	// No atomic exchange here: move the old run aside, then the new one in
	// (a kill between the two leaves the old one aside; the next run's
	// clean-up removes it).
	old := strings.Replace(rd.Stage, ".bbb-stage-", ".bbb-old-", 1)
	if err := os.Rename(rd.out, old); err != nil {
		os.RemoveAll(rd.Stage)
		return fmt.Errorf("%s %s: %w", rd.flag, rd.out, err)
	}
	carryOver(old, rd.Stage)
	if err := os.Rename(rd.Stage, rd.out); err != nil {
		carryOver(rd.Stage, old)
		os.Rename(old, rd.out)
		os.RemoveAll(rd.Stage)
		return fmt.Errorf("%s %s: %w", rd.flag, rd.out, err)
	}
	os.RemoveAll(old)
	return syncDir(filepath.Dir(rd.out))
}

// carried reports the entries of a run directory that belong to other
// runs and move to the next run directory: subdirectories (bench's
// out/bench, torch_bench's out/torch) and their staging and lock files.
func carried(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".bbb-")
}

// carryOver moves the subdirectories of from (and the staging and lock
// files of runs into them) to to, unless to has the name already.
func carryOver(from, to string) {
	ents, _ := os.ReadDir(from)
	for _, e := range ents {
		if n := e.Name(); e.IsDir() || carried(n) {
			if _, err := os.Lstat(filepath.Join(to, n)); err != nil {
				os.Rename(filepath.Join(from, n), filepath.Join(to, n))
			}
		}
	}
}

// Abort removes the staging directory: --out keeps the previous run.
func (rd *runDir) Abort() {
	if rd == nil || rd.lock == nil {
		return
	}
	os.RemoveAll(rd.Stage)
	rd.release()
}

func (rd *runDir) release() {
	setHardExitCleanup(nil)
	if rd.lock != nil {
		os.Remove(rd.lockPath)
		rd.lock.Close()
		rd.lock = nil
	}
}

// sideName names a file beside the run directory base that belongs to it
// (its lock, staging and replaced directories: "."+base+"."+tag): a long
// base is cut, with a hash of it, so that the name fits NAME_MAX.
func sideName(base, tag string) string { return atomicio.SideName(base, tag) }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	d.Sync()
	return nil
}
