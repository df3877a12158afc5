package rundir

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The plan's resolution: "./x", "x", a link to x and "d/../x" are one path;
// a missing file under a link to a directory resolves through it.
func TestResolvePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.MkdirAll("a/b", 0o755)
	os.WriteFile("x", nil, 0o644)
	os.Symlink("x", "lx")
	os.Symlink("a/b", "lb")
	real, _ := filepath.EvalSymlinks(dir)
	for _, tc := range []struct{ in, want string }{
		{"x", "x"}, {"./x", "x"}, {"lx", "x"}, {dir + "/x", "x"}, {"a/../x", "x"},
		{"lb/new", "a/b/new"}, {"lb/../new", "a/new"}, {"missing/y", "missing/y"}, {"a/", "a"},
	} {
		if got := Resolve(tc.in); got != filepath.Join(real, tc.want) {
			t.Errorf("Resolve(%q) = %q, want %q", tc.in, got, filepath.Join(real, tc.want))
		}
	}
	if !bytes.Equal([]byte(AbsPath(Target("lb"))), []byte(filepath.Join(real, "a/b"))) {
		t.Errorf("Target(lb) = %q", Target("lb"))
	}
}

// Each refusal of Check is one *Error with the text the CLI prints; the
// paths a run may write are accepted.
// sideSuffix ends the refusal of an output named as bbb's side files.
const sideSuffix = ": is named, or lies in a folder named, as bbb names its own files (a run's manifest, lock, stage or temporary files: a leading dot and .bbb-): a run would replace or remove it; give it another name"

func TestPlanCheck(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("data.csv", []byte("x,y\n"), 0o644)
	os.WriteFile("m.npz", nil, 0o644)
	os.MkdirAll("mnist", 0o755)
	os.WriteFile("mnist/train.gz", nil, 0o644)
	os.MkdirAll("sub", 0o755)
	writeRun(t, "run", "train", map[string]string{"m.npz": ""})
	os.MkdirAll("run/sub", 0o755)
	os.WriteFile("run/sub/d.csv", []byte("x,y\n"), 0o644)
	os.MkdirAll("run/mnist", 0o755)
	os.Symlink("data.csv", "link.csv")
	os.Symlink("run", "runlink")
	writeRun(t, "bench-run", "bench", map[string]string{"a.txt": "a"})
	os.Symlink("bench-run", "bench-link")
	real, _ := filepath.EvalSymlinks(dir)
	long := strings.Repeat("n", 256)

	for _, tc := range []struct {
		name string
		add  func(p *Plan)
		want string // "": accepted
	}{
		{"empty", func(p *Plan) {}, ""},
		{"unset paths skipped", func(p *Plan) { p.In("--data", ""); p.Out("--save", ""); p.OutDir("--out", "") }, ""},
		{"stdout", func(p *Plan) { p.In("--data", "data.csv"); p.OutOrStdout("--out", "-") }, ""},
		{"save rewrites resume in out", func(p *Plan) {
			p.In("--resume", "run/m.npz")
			p.Rewrites("--save", "run/m.npz", "--resume")
			p.OutDir("--out", "run")
		}, ""},
		{"out through a link", func(p *Plan) { p.In("--data", "data.csv"); p.OutDir("--out", "runlink") }, ""},
		{"blank", func(p *Plan) { p.In("--data", " ") }, "--data: empty path"},
		{"dash not stdout", func(p *Plan) { p.Out("--save", "-") },
			"--save -: this output cannot go to standard output; name a file (./- for a file named -)"},
		{"output is input", func(p *Plan) { p.In("--data", "data.csv"); p.Out("--cpuprofile", "./data.csv") },
			"--cpuprofile ./data.csv: is the --data input; the output would overwrite it"},
		{"output is input through a link", func(p *Plan) { p.In("--data", "data.csv"); p.OutOrStdout("--out", "link.csv") },
			"--out link.csv: is the --data input; the output would overwrite it"},
		{"rewrite outside out", func(p *Plan) {
			p.In("--resume", "m.npz")
			p.Rewrites("--save", "m.npz", "--resume")
		}, ""},
		{"two outputs one file", func(p *Plan) { p.Out("--save", "a.npz"); p.Out("--cpuprofile", "a.npz") },
			"--save a.npz: is also the --cpuprofile file; give each output its own file"},
		{"file is the out dir", func(p *Plan) { p.Out("--save", "run"); p.OutDir("--out", "run") },
			"--save run: is a directory (want a file name)"},
		{"file in input dir", func(p *Plan) { p.InDir("--mnist-dir", "mnist"); p.Out("--save", "mnist/train.gz") },
			"--save mnist/train.gz: is a file in the --mnist-dir input directory; the output would overwrite it"},
		{"out holds input", func(p *Plan) {
			p.In("--resume", "run/m.npz")
			p.Rewrites("--save", "m2.npz", "--resume")
			p.OutDir("--out", "run")
		},
			"--out run: holds the --resume input run/m.npz, which replacing --out would delete; write into another folder (or --save that same file, which the run rewrites)"},
		{"input in a subfolder of out", func(p *Plan) { p.In("--data", "run/sub/d.csv"); p.OutDir("--out", "run") }, ""}, // (subfolders are carried into the new run)
		{"input dir in out", func(p *Plan) { p.InDir("--mnist-dir", "run/mnist"); p.OutDir("--out", "run") }, ""},
		{"out is input dir", func(p *Plan) { p.InDir("--mnist-dir", "mnist"); p.OutDir("--out", "mnist") },
			"--out mnist: holds the --mnist-dir input mnist, which replacing --out would delete; write into another folder"},
		{"file deep in out", func(p *Plan) { p.Out("--save", "run/sub/m.npz"); p.OutDir("--out", "run") },
			"--save run/sub/m.npz: is inside --out run but not directly in it; put it directly in --out (it is written with the run) or outside it"},
		{"manifest's temporary file", func(p *Plan) { p.Out("--save", "run/.bbb-run.tmp"); p.OutDir("--out", "run") }, "--save run/.bbb-run.tmp" + sideSuffix},
		{"a run's lock", func(p *Plan) { p.Out("--save", ".o.bbb-lock") }, "--save .o.bbb-lock" + sideSuffix},
		{"a temporary file", func(p *Plan) { p.Out("--cpuprofile", "keep/.m.npz.bbb-tmp-4000000-7") }, "--cpuprofile keep/.m.npz.bbb-tmp-4000000-7" + sideSuffix},
		{"a stage as --out", func(p *Plan) { p.OutDir("--out", ".x.bbb-stage-abc") }, "--out .x.bbb-stage-abc" + sideSuffix},
		{"an old run as --out", func(p *Plan) { p.OutDir("--out", "runs/.x.bbb-old-1") }, "--out runs/.x.bbb-old-1" + sideSuffix},
		{"bbb- without the dot", func(p *Plan) { p.Out("--save", "m.bbb-lock.npz") }, ""},
		{"in a folder named as a lock", func(p *Plan) { p.OutDir("--out", ".r.bbb-lock/run") }, "--out .r.bbb-lock/run" + sideSuffix},
		{"run's own kind", func(p *Plan) { p.Out("--save", "run/summary.json"); p.OutDir("--out", "run") },
			"--save run/summary.json: is named like the run's own kind of file (its manifest, .json, .csv, .dot or figures), which the run writes into the same folder: one would be lost; give it another name (e.g. .npz) or put it outside"},
		{"trailing slash", func(p *Plan) { p.Out("--save", "m.npz/") },
			`--save m.npz/: names a directory, not a file (it ends in "/"); give a file name`},
		{"long name", func(p *Plan) { p.Out("--save", long) },
			"--save " + long + ": a name in it is 256 bytes long; a file system takes at most 255"},
		{"missing directory", func(p *Plan) { p.Out("--save", "nowhere/m.npz") },
			"--save nowhere/m.npz: directory " + real + "/nowhere: no such file or directory"},
		{"dir is a file", func(p *Plan) { p.OutDir("--out", "data.csv") },
			"--out data.csv: not a directory"},
		{"another command's run", func(p *Plan) { p.OutDir("--out", "bench-link") },
			"--out bench-link -> bench-run: holds the output of `bbb bench`, which `bbb train` would replace; pick another directory"},
	} {
		p := &Plan{Command: "train"}
		tc.add(p)
		err := p.Check()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s:\n got %v\nwant %s", tc.name, err, tc.want)
		case err != nil:
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%s: %T, want *Error", tc.name, err)
			}
		}
	}
}

// A device is refused as an output file; where "-" is standard output,
// the refusal says so.
func TestPlanRefusesDevice(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	p := &Plan{}
	p.OutOrStdout("--out", "/dev/null")
	want := "--out /dev/null: is a device, not a regular file; bbb writes regular files only (- writes to standard output)"
	if err := p.Check(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// ShowLink names a link's target; a plain path and a dangling link to
// nothing usable are shown as they are and as the link says.
func TestShowLink(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("real", 0o755)
	os.Symlink("real", "l")
	os.Symlink("gone/deeper", "dangling")
	real, _ := filepath.EvalSymlinks(dir)
	for _, tc := range []struct{ in, want string }{
		{"real", "real"},
		{"absent", "absent"},
		{"", `""`}, // (an empty flag value)
		{"l", "l -> real"},
		{filepath.Join(dir, "l"), filepath.Join(dir, "l") + " -> " + filepath.Join(real, "real")},
	} {
		if got := ShowLink(tc.in); got != tc.want {
			t.Errorf("ShowLink(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := ShowLink("dangling"); !strings.HasPrefix(got, "dangling -> ") || !strings.HasSuffix(got, "gone/deeper") {
		t.Errorf("ShowLink(dangling) = %q", got)
	}
}

// Replacing's check decides over an existing output file (through a
// link), never over an absent one.
func TestPlanReplacing(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(keep, link); err != nil {
		t.Fatal(err)
	}
	var asked []string
	no := func(target string) error { asked = append(asked, target); return errors.New("not mine") }
	for _, tc := range []struct {
		path string
		want string // in the error; "" none
	}{
		{keep, "--o " + keep + ": not mine"},
		{link, "--o " + link + " -> " + keep + ": not mine"},
		{filepath.Join(dir, "new"), ""},
	} {
		asked = nil
		var p Plan
		p.Out("--o", tc.path)
		p.Replacing("--o", no)
		err := p.Check()
		if tc.want == "" {
			if err != nil || asked != nil {
				t.Errorf("%s: %v (asked %q); want no error and no question", tc.path, err, asked)
			}
			continue
		}
		if err == nil || err.Error() != tc.want || !slices.Equal(asked, []string{keep}) {
			t.Errorf("%s: %v (asked %q); want %q, asked about %s", tc.path, err, asked, tc.want, keep)
		}
	}
}
