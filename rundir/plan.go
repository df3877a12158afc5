package rundir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// A Plan lists every path a command reads and writes, and Check refuses,
// before any work, with one line (an *Error):
//   - an output that cannot be written where it is named: a file name
//     ending in "/", a name over NAME_MAX or a path that would pass PATH_MAX with the names bbb adds, a mount
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
//   - an output directory the run may not replace (Check): one holding a
//     file its manifest does not list, any file where there is no
//     manifest, another command's run.
//
// Outputs that are symbolic links are written through (atomicio.WriteFile);
// "-" is standard output for an output added with OutOrStdout, and refused
// for the other outputs. Refusals name the path as typed; a symbolic link
// also names its target ("--out link -> /real/run: ...").
//
// The zero Plan is empty; Command names the command that will write its
// output directories (as Open's command).
type Plan struct {
	// Command is the command whose run writes the output directories:
	// a folder another command wrote is refused (Check).
	Command string

	paths []ioPath
}

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
	// writeFile: whether the existing file may be replaced (Replacing)
	replaces func(target string) error
}

// In adds an input file; name is how refusals call it (a flag: "--data").
// An empty path is unset: skipped, as by the other adders.
func (p *Plan) In(name, path string) { p.add(ioPath{flag: name, path: path, role: readFile}) }

// InDir adds an input directory, whose files the command reads: no output
// file may overwrite one, and no output directory may hold it.
func (p *Plan) InDir(name, path string) { p.add(ioPath{flag: name, path: path, role: readDir}) }

// Out adds an output file, written atomically (a temporary file renamed
// over it).
func (p *Plan) Out(name, path string) { p.add(ioPath{flag: name, path: path, role: writeFile}) }

// OutDir adds a run directory, replaced whole by the run (Open, Commit).
func (p *Plan) OutDir(name, path string) { p.add(ioPath{flag: name, path: path, role: writeDir}) }

// OutOrStdout adds an output file for which "-" is standard output (not a
// path: skipped).
func (p *Plan) OutOrStdout(name, path string) {
	p.add(ioPath{flag: name, path: path, role: writeFile, stdout: true})
}

// Rewrites adds an output file that may be the input named inName: the run
// reads it, then replaces it whole (--save of the --resume file it
// continues).
func (p *Plan) Rewrites(name, path, inName string) {
	p.add(ioPath{flag: name, path: path, role: writeFile, updates: inName})
}

// Replacing restricts what the output file added as name may replace:
// check gets the existing file a write would replace (symbolic links
// followed) and says why it is not one this output may overwrite (--save
// replaces a model file, not whatever a typo or a link names). An absent
// file is always fine. Call it after the output is added.
func (p *Plan) Replacing(name string, check func(target string) error) {
	for i := range p.paths {
		if p.paths[i].flag == name && p.paths[i].role == writeFile {
			p.paths[i].replaces = check
		}
	}
}

func (p *Plan) add(io ioPath) {
	if io.path != "" && !(io.stdout && io.path == "-") {
		p.paths = append(p.paths, io)
	}
}

// Check resolves the paths and refuses the overlaps and outputs listed in
// Plan's comment. It writes nothing but a probe file it removes at once
// (an output file's directory must take new files). Every error is an
// *Error, whose text names the path as added.
func (p *Plan) Check() error {
	for i := range p.paths {
		io := &p.paths[i]
		if strings.TrimSpace(io.path) == "" {
			return refusef("%s: empty path", io.flag)
		}
		if io.path == "-" && io.role >= writeFile {
			return refusef("%s -: this output cannot go to standard output; name a file (./- for a file named -)", io.flag)
		}
		io.abs = Resolve(io.path)
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
			if err := Check(Target(io.path), p.Command); err != nil {
				return refusef("%s %s: %v", io.flag, ShowLink(io.path), err)
			}
		}
	}
	for _, o := range p.paths {
		if o.replaces == nil || !exists(o.abs) {
			continue
		}
		if err := o.replaces(o.abs); err != nil {
			return refusef("%s %s: %v", o.flag, ShowLink(o.path), err)
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
func (p *Plan) checkOutput(o ioPath) error {
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
func (p *Plan) checkOutputDir(o ioPath) error {
	if err := checkSideName(o); err != nil {
		return err
	}
	if err := checkNames(o, stageLen(o.abs)+1+sideLen(ownNameMax)); err != nil {
		return err
	}
	fi, err := os.Stat(o.abs)
	if errors.Is(err, fs.ErrNotExist) {
		if f, err2 := os.Stat(o.path); err2 == nil {
			fi, err = f, nil // a link the kernel follows and a path cannot name: /dev/stdout to a pipe
		}
	}
	if err == nil && !fi.IsDir() {
		return refusef("%s %s: not a directory", o.flag, o.path)
	}
	return nil // the rest (mount point, current directory, ownership) is Check's
}

// checkOutputFile checks that an output file can be written where it is
// named, with a temporary file beside it renamed over it: a file name (no
// trailing "/"), that fits NAME_MAX, a regular file or absent and not a
// mount point, in a directory that exists (or that is the staged --out).
func (p *Plan) checkOutputFile(o ioPath) error {
	if base := o.path[strings.LastIndexByte(o.path, '/')+1:]; base == "" || base == "." || base == ".." {
		return refusef("%s %s: names a directory, not a file (it ends in %q); give a file name", o.flag, o.path, "/"+base)
	}
	longest := len(filepath.Dir(o.abs)) + 1 + sideLen(len(filepath.Base(o.abs))) // its temporary file
	if d, ok := p.stagedIn(o); ok {
		longest = stageLen(d.abs) + 1 + sideLen(len(filepath.Base(o.abs))) // the same, in the stage
	}
	if err := checkNames(o, longest); err != nil {
		return err
	}
	fi, err := os.Stat(o.abs)
	if errors.Is(err, fs.ErrNotExist) {
		if f, err2 := os.Stat(o.path); err2 == nil {
			fi, err = f, nil // a link the kernel follows and a path cannot name: /dev/stdout to a pipe ("pipe:[N]")
		}
	}
	switch {
	case err == nil && fi.IsDir():
		return refusef("%s %s: is a directory (want a file name)", o.flag, o.path)
	case err == nil && !fi.Mode().IsRegular():
		hint := ""
		if o.stdout {
			hint = " (- writes to standard output)"
		}
		return refusef("%s %s: is %s, not a regular file; bbb writes regular files only%s", o.flag, o.path, atomicio.Kind(fi.Mode()), hint)
	case err == nil && IsMountPoint(o.abs):
		return refusef("%s %s: is a mount point (a file mounted into place): bbb writes a new file and renames it over the old one, which a mount point cannot take; mount its folder instead and name a file inside it",
			o.flag, o.path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return refusef("%s %s: %v", o.flag, o.path, cause(err)) // a loop of links, a file where a directory is wanted
	}
	if p.staged(o) {
		if runOwnKind(filepath.Base(o.abs)) {
			return refusef("%s %s: is named like the run's own kind of file (its manifest, .json, .csv, .dot or figures), which the run writes into the same folder: one would be lost; give it another name (e.g. .npz) or put it outside",
				o.flag, o.path)
		}
		return checkSideName(o) // in the staging folder: the output directory is checked by Open
	}
	if err := checkSideName(o); err != nil {
		return err
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
			return refusef("%s %s: a name in it is %d bytes long; a file system takes at most %d", o.flag, o.path, len(name), nameMax)
		}
	}
	if longest >= pathMax {
		return refusef("%s %s: the path is %d bytes long; with the temporary names bbb writes there, it would pass the %d bytes a path may have",
			o.flag, o.path, len(o.abs), pathMax-1)
	}
	return nil
}

// staged reports whether an output file is directly in the plan's output
// directory: the run writes it into its staging folder.
func (p *Plan) staged(o ioPath) bool {
	_, ok := p.stagedIn(o)
	return ok
}

// stagedIn is the output directory an output file is staged in.
func (p *Plan) stagedIn(o ioPath) (ioPath, bool) {
	for _, d := range p.paths {
		if d.role == writeDir && filepath.Dir(o.abs) == d.abs {
			return d, true
		}
	}
	return ioPath{}, false
}

// checkPair refuses output o's overlap with path x.
func (p *Plan) checkPair(o, x ioPath) error {
	same := o.abs == x.abs || SameFile(o.abs, x.abs)
	switch o.role {
	case writeFile:
		switch {
		case same && x.role == writeFile:
			return refusef("%s %s: is also the %s file; give each output its own file", o.flag, o.path, x.flag)
		case same && x.role == writeDir:
			return refusef("%s %s: is also the %s directory; give each output its own path", o.flag, o.path, x.flag)
		case same && x.flag != o.updates:
			return refusef("%s %s: is the %s input; the output would overwrite it", o.flag, o.path, x.flag)
		case x.role == readDir && inside(o.abs, x.abs) && exists(o.abs):
			return refusef("%s %s: is a file in the %s input directory; the output would overwrite it", o.flag, o.path, x.flag)
		case x.role == writeDir && inside(o.abs, x.abs) && !p.staged(o):
			return refusef("%s %s: is inside %s %s but not directly in it; put it directly in %s (it is written with the run) or outside it",
				o.flag, o.path, x.flag, x.path, x.flag)
		}
	case writeDir:
		// A file directly in the folder goes with the old run; a subfolder,
		// and all it holds, is carried into the new one.
		if (x.role == readFile || x.role == readDir) && (same || x.role == readFile && filepath.Dir(x.abs) == o.abs) && !p.rewritten(x) {
			hint := ""
			for _, w := range p.paths {
				if w.updates == x.flag {
					hint = " (or " + w.flag + " that same file, which the run rewrites)"
				}
			}
			return refusef("%s %s: holds the %s input %s, which replacing %s would delete; write into another folder%s",
				o.flag, o.path, x.flag, x.path, o.flag, hint)
		}
	}
	return nil
}

// rewritten reports whether input x is rewritten whole by the run: it is
// the staged file of an output that updates it (--save of --resume).
func (p *Plan) rewritten(x ioPath) bool {
	for _, o := range p.paths {
		if o.role == writeFile && o.updates == x.flag && o.abs == x.abs && p.staged(o) {
			return true
		}
	}
	return false
}

// Resolve is the absolute path the kernel opens for path: symbolic links
// followed (those of its last element too, where a write goes through
// them, dangling ones included), ".." after a link taken as the kernel
// does. A path under a missing directory is made absolute as it is. Check
// compares paths so resolved; a caller that stages an output file directly
// in an output directory finds it the same way.
func Resolve(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return AbsPath(r)
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
	return AbsPath(filepath.Join(dir, base))
}

// AbsPath is path made absolute (filepath.Abs), or only cleaned where the
// working directory cannot be had: paths a run records or compares should
// not depend on where it was started.
func AbsPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// inside reports whether path is inside dir (at any depth; both absolute
// and clean).
func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// SameFile reports whether a and b name one existing file, however spelt
// (./x and x, through a symbolic link, a hard link, a bind mount): two
// names of one input are one input.
func SameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// checkFileDir checks that an output file's directory exists and takes new
// files.
func checkFileDir(name, path, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return refusef("%s %s: directory %s: %v", name, path, dir, cause(err))
	case !fi.IsDir():
		return refusef("%s %s: %s is not a directory", name, path, dir)
	}
	f, err := os.CreateTemp(dir, ".bbb-write-check-*")
	if err != nil {
		return refusef("%s %s: cannot write in %s: %v", name, path, dir, cause(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// Target is where a run directory named path is made: a symbolic link to
// a directory is written through (its target is replaced, the link
// stays), a dangling one too. Give Open the Target of what the user typed.
func Target(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	if t, _, err := atomicio.Target(path); err == nil {
		return t // absent, maybe behind a dangling link
	}
	return path
}

// ShowLink is path as typed, followed by " -> " and its target where it is
// a symbolic link: a refusal names both what the user typed and the folder
// it names.
func ShowLink(path string) string {
	if path == "" {
		return `""` // (an empty flag value, shown as given)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return path
	}
	target := Target(path)
	if target == path { // a link to nothing usable: what it says
		target, _ = os.Readlink(path)
	}
	return path + " -> " + target
}

// checkSideName refuses an output named as bbb names its own files beside
// and in a run: the manifest (.bbb-run) and its temporary file, a lock
// (.NAME.bbb-lock), a stage or an old run (.NAME.bbb-stage-..., -old-...)
// and a temporary file (.NAME.bbb-tmp-...). A run would overwrite or
// remove it as its own, or as a leftover of a killed run, and a file in
// the place of a lock would let two runs into one folder.
func checkSideName(o ioPath) error {
	if slices.ContainsFunc(strings.Split(o.abs, string(filepath.Separator)), isSideName) {
		return refusef("%s %s: is named, or lies in a folder named, as bbb names its own files (a run's manifest, lock, stage or temporary files: a leading dot and .bbb-): a run would replace or remove it; give it another name",
			o.flag, o.path)
	}
	return nil
}

// isSideName reports a name as bbb names its side files: a leading dot
// and ".bbb-" (a folder of such a name on an output's path is one too: a
// run into its sibling would take it for its lock, stage or old run).
func isSideName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".bbb-")
}

// runOwnExt are the kinds of file a run writes into its folder (summaries,
// tables, the graph, figures, logs). A file written with the run (--save or
// --cpuprofile directly in --out) may not be one: the run's own file of the
// same name would replace it, or it the run's.
var runOwnExt = []string{".json", ".csv", ".dot", ".png", ".svg", ".pdf", ".txt", ".log"}

// runOwnKind reports whether name is the run folder's manifest or of a kind
// in runOwnExt.
func runOwnKind(name string) bool {
	return name == Marker || slices.Contains(runOwnExt, strings.ToLower(filepath.Ext(name)))
}
