package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/rundir"
)

// Every command lists every path it reads and writes in an ioPlan, and
// check refuses, before any work, one line and exit 2:
//   - an output that cannot be written where it is named (checkOutputFile,
//     checkOutputDir): a file name ending in "/", a name over NAME_MAX or
//     a path that would pass PATH_MAX with the names bbb adds, a mount
//     point (no rename replaces it: EBUSY), an existing output that is not
//     a regular file (a device, fifo or socket) or a directory where a
//     file is wanted;
//   - an output that is an input or another output (resolved through
//     symbolic links, so "./x", "x", "/abs/x" and a link to x are one file;
//     hard links by inode);
//   - an output directory (a run's --out, replaced whole) that holds an
//     input, unless that input is also the --save file, which the run
//     rewrites atomically in its staged folder (--resume r/m.npz --save
//     r/m.npz --out r);
//   - an output file inside an output directory other than directly in it
//     (only those are staged with the run);
//   - an output directory the run may not replace (rundir.Check): one
//     holding a file its manifest does not list, any file where there is
//     no manifest, another command's run.
//
// Outputs that are symbolic links are written through (atomicio.WriteFile);
// "-" is standard output for predict's and dot's --out, and refused for the
// other outputs. Refusals name the path as typed; a symbolic link also
// names its target ("--out link -> /real/run: ...").

// ioRole is how a command uses a path.
type ioRole int

const (
	readFile  ioRole = iota // an input file
	readDir                 // an input directory (--mnist-dir): files in it are read
	writeFile               // an output file, written atomically
	writeDir                // a run directory (--out), replaced whole
)

type ioPath struct {
	flag, path string
	role       ioRole
	updates    string // writeFile: the input flag whose file it may rewrite (--save of --resume)
	stdout     bool   // writeFile: "-" is standard output
	abs        string // resolved
}

type ioPlan struct{ paths []ioPath }

// in, inDir, out and outDir add a path (an empty one is unset: skipped);
// outOrStdout adds an output file for which "-" is standard output.
func (p *ioPlan) in(flag, path string)     { p.add(ioPath{flag: flag, path: path, role: readFile}) }
func (p *ioPlan) inDir(flag, path string)  { p.add(ioPath{flag: flag, path: path, role: readDir}) }
func (p *ioPlan) out(flag, path string)    { p.add(ioPath{flag: flag, path: path, role: writeFile}) }
func (p *ioPlan) outDir(flag, path string) { p.add(ioPath{flag: flag, path: path, role: writeDir}) }
func (p *ioPlan) outOrStdout(flag, path string) {
	p.add(ioPath{flag: flag, path: path, role: writeFile, stdout: true})
}

// rewrites adds an output file that may be the input named by inFlag.
func (p *ioPlan) rewrites(flag, path, inFlag string) {
	p.add(ioPath{flag: flag, path: path, role: writeFile, updates: inFlag})
}

func (p *ioPlan) add(io ioPath) {
	if io.path != "" && !(io.stdout && io.path == "-") {
		p.paths = append(p.paths, io)
	}
}

// check resolves the paths and refuses the overlaps and outputs above.
func (p *ioPlan) check() error {
	for i := range p.paths {
		io := &p.paths[i]
		if strings.TrimSpace(io.path) == "" {
			return usagef("%s: empty path", io.flag)
		}
		if io.path == "-" && io.role >= writeFile {
			return usagef("%s -: this output cannot go to standard output; name a file (./- for a file named -)", io.flag)
		}
		io.abs = resolvePath(io.path)
	}
	for _, io := range p.paths {
		if err := p.checkOutput(io); err != nil {
			return err
		}
	}
	for i, a := range p.paths {
		for _, b := range p.paths[i+1:] {
			if err := p.checkPair(a, b); err != nil {
				return err
			}
			if err := p.checkPair(b, a); err != nil {
				return err
			}
		}
	}
	for _, io := range p.paths { // last: an overlap is the clearer reason
		if io.role == writeDir {
			if err := rundir.Check(writeTarget(io.path), runCommand); err != nil {
				return runDirError(io.flag, io.path, err)
			}
		}
	}
	return nil
}

// Limits of Linux file systems on a name and a whole path (with its NUL).
const (
	nameMax = 255
	pathMax = 4096
)

// ownNameMax bounds the names bbb gives its own files in a run folder
// (learning_curve.png, the longest today, has 18 bytes).
const ownNameMax = 32

// sideLen bounds the length of a name bbb writes beside an entry whose
// name has n bytes (its temporary file, a stage), with its unique suffix:
// atomicio.SideName adds two dots, a tag and SideRoom bytes, and cuts the
// whole to NAME_MAX.
func sideLen(n int) int {
	return min(nameMax, n+2+atomicio.SideTagMax+atomicio.SideRoom)
}

// stageLen bounds the length of the path of a run folder's stage.
func stageLen(dir string) int {
	return len(filepath.Dir(dir)) + 1 + sideLen(len(filepath.Base(dir)))
}

// checkOutput checks that an output can be written where it is named.
func (p *ioPlan) checkOutput(o ioPath) error {
	switch o.role {
	case writeDir:
		return p.checkOutputDir(o)
	case writeFile:
		return p.checkOutputFile(o)
	}
	return nil
}

// checkOutputDir checks that a run directory can be made and replaced
// where it is named: a directory or absent, with names that fit (the
// longest path the run writes is a temporary file in its stage).
func (p *ioPlan) checkOutputDir(o ioPath) error {
	if err := checkNames(o, stageLen(o.abs)+1+sideLen(ownNameMax)); err != nil {
		return err
	}
	if fi, err := os.Stat(o.abs); err == nil && !fi.IsDir() {
		return usagef("%s %s: not a directory", o.flag, o.path)
	}
	return nil // the rest (mount point, current directory, ownership) is rundir.Check's
}

// checkOutputFile checks that an output file can be written where it is
// named, with a temporary file beside it renamed over it: a file name (no
// trailing "/"), that fits NAME_MAX, a regular file or absent and not a
// mount point, in a directory that exists (or that is the staged --out).
func (p *ioPlan) checkOutputFile(o ioPath) error {
	if base := o.path[strings.LastIndexByte(o.path, '/')+1:]; base == "" || base == "." || base == ".." {
		return usagef("%s %s: names a directory, not a file (it ends in %q); give a file name", o.flag, o.path, "/"+base)
	}
	longest := len(filepath.Dir(o.abs)) + 1 + sideLen(len(filepath.Base(o.abs))) // its temporary file
	if d, ok := p.stagedIn(o); ok {
		longest = stageLen(d.abs) + 1 + sideLen(len(filepath.Base(o.abs))) // the same, in the stage
	}
	if err := checkNames(o, longest); err != nil {
		return err
	}
	fi, err := os.Stat(o.abs)
	switch {
	case err == nil && fi.IsDir():
		return usagef("%s %s: is a directory (want a file name)", o.flag, o.path)
	case err == nil && !fi.Mode().IsRegular():
		hint := ""
		if o.stdout {
			hint = " (- writes to standard output)"
		}
		return usagef("%s %s: is %s, not a regular file; bbb writes regular files only%s", o.flag, o.path, atomicio.Kind(fi.Mode()), hint)
	case err == nil && rundir.IsMountPoint(o.abs):
		return usagef("%s %s: is a mount point (a file mounted into place): bbb writes a new file and renames it over the old one, which a mount point cannot take; mount its folder instead and name a file inside it",
			o.flag, o.path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return usagef("%s %s: %v", o.flag, o.path, unwrapPath(err)) // a loop of links, a file where a directory is wanted
	}
	if p.staged(o) {
		if runOwnKind(filepath.Base(o.abs)) {
			return usagef("%s %s: is named like the run's own kind of file (its manifest, .json, .csv, .dot or figures), which the run writes into the same folder: one would be lost; give it another name (e.g. .npz) or put it outside",
				o.flag, o.path)
		}
		return nil // in the staging folder: --out is checked by openRunDir
	}
	return checkFileDir(o.flag, o.path, filepath.Dir(o.abs))
}

// checkNames refuses an output whose names would not fit: a name over
// NAME_MAX (bbb cuts the names it adds to fit, atomicio.SideName, but not
// the output's own), or a path that would reach PATH_MAX with the names
// bbb writes below it: longest bounds the longest path it writes.
func checkNames(o ioPath, longest int) error {
	for _, name := range strings.Split(o.abs, string(filepath.Separator)) {
		if len(name) > nameMax {
			return usagef("%s %s: a name in it is %d bytes long; a file system takes at most %d", o.flag, o.path, len(name), nameMax)
		}
	}
	if longest >= pathMax {
		return usagef("%s %s: the path is %d bytes long; with the temporary names bbb writes there, it would pass the %d bytes a path may have",
			o.flag, o.path, len(o.abs), pathMax-1)
	}
	return nil
}

// staged reports whether an output file is directly in the plan's output
// directory: the run writes it into its staging folder (savePath).
func (p *ioPlan) staged(o ioPath) bool {
	_, ok := p.stagedIn(o)
	return ok
}

// stagedIn is the output directory an output file is staged in.
func (p *ioPlan) stagedIn(o ioPath) (ioPath, bool) {
	for _, d := range p.paths {
		if d.role == writeDir && filepath.Dir(o.abs) == d.abs {
			return d, true
		}
	}
	return ioPath{}, false
}

// checkPair refuses output o's overlap with path x.
func (p *ioPlan) checkPair(o, x ioPath) error {
	same := o.abs == x.abs || sameFile(o.abs, x.abs)
	switch o.role {
	case writeFile:
		switch {
		case same && x.role == writeFile:
			return usagef("%s %s: is also the %s file; give each output its own file", o.flag, o.path, x.flag)
		case same && x.role == writeDir:
			return usagef("%s %s: is also the %s directory; give each output its own path", o.flag, o.path, x.flag)
		case same && x.flag != o.updates:
			return usagef("%s %s: is the %s input; the output would overwrite it", o.flag, o.path, x.flag)
		case x.role == readDir && within(o.abs, x.abs) && exists(o.abs):
			return usagef("%s %s: is a file in the %s input directory; the output would overwrite it", o.flag, o.path, x.flag)
		case x.role == writeDir && within(o.abs, x.abs) && !p.staged(o):
			return usagef("%s %s: is inside %s %s but not directly in it; put it directly in %s (it is written with the run) or outside it",
				o.flag, o.path, x.flag, x.path, x.flag)
		}
	case writeDir:
		if (x.role == readFile || x.role == readDir) && (same || within(x.abs, o.abs)) && !p.rewritten(x) {
			hint := ""
			for _, w := range p.paths {
				if w.updates == x.flag {
					hint = " (or " + w.flag + " that same file, which the run rewrites)"
				}
			}
			return usagef("%s %s: holds the %s input %s, which replacing %s would delete; write into another folder%s",
				o.flag, o.path, x.flag, x.path, o.flag, hint)
		}
	}
	return nil
}

// rewritten reports whether input x is rewritten whole by the run: it is
// the staged file of an output that updates it (--save of --resume).
func (p *ioPlan) rewritten(x ioPath) bool {
	for _, o := range p.paths {
		if o.role == writeFile && o.updates == x.flag && o.abs == x.abs && p.staged(o) {
			return true
		}
	}
	return false
}

// resolvePath is the absolute path the kernel opens for path: symbolic
// links followed (those of its last element too, where a write goes
// through them, dangling ones included), ".." after a link taken as the
// kernel does. A path under a missing directory is made absolute as it is.
func resolvePath(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return absPath(r)
	}
	if t, _, err := atomicio.Target(path); err == nil {
		path = t // absent, maybe behind a dangling link
	}
	dir, base := path[:strings.LastIndexByte(path, '/')+1], path[strings.LastIndexByte(path, '/')+1:]
	if dir == "" {
		dir = "."
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	return absPath(filepath.Join(dir, base))
}

func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// within reports whether path is inside dir (at any depth; both absolute
// and clean).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sameFile reports whether a and b name one existing file (hard links,
// bind mounts).
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// checkFileDir checks that an output file's directory exists and takes new
// files.
func checkFileDir(flagName, path, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return usagef("%s %s: directory %s: %v", flagName, path, dir, unwrapPath(err))
	case !fi.IsDir():
		return usagef("%s %s: %s is not a directory", flagName, path, dir)
	}
	f, err := os.CreateTemp(dir, ".bbb-write-check-*")
	if err != nil {
		return usagef("%s %s: cannot write in %s: %v", flagName, path, dir, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// writeTarget is where a run directory named by the user is made: a
// symbolic link to a directory is written through (its target is
// replaced, the link stays).
func writeTarget(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	if t, _, err := atomicio.Target(path); err == nil {
		return t // absent, maybe behind a dangling link
	}
	return path
}

// runOwnExt are the kinds of file a run writes into its folder (summaries,
// tables, the graph, figures, logs). A file written with the run (--save or
// --cpuprofile directly in --out) may not be one: the run's own file of the
// same name would replace it, or it the run's.
var runOwnExt = []string{".json", ".csv", ".dot", ".png", ".svg", ".pdf", ".txt", ".log"}

// runOwnKind reports whether name is the run folder's manifest or of a kind
// in runOwnExt.
func runOwnKind(name string) bool {
	return name == rundir.Marker || slices.Contains(runOwnExt, strings.ToLower(filepath.Ext(name)))
}
