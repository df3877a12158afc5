package rundir

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeRun commits a run of command into out holding files (name ->
// content).
func writeRun(t *testing.T, out, command string, files map[string]string) {
	t.Helper()
	d, err := Open(out, command)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(d.Stage, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
}

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range ents {
		ns = append(ns, e.Name())
	}
	return ns
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A run folder holding a file its manifest does not list, or written by
// another command, is refused before a stage exists, naming what; the
// folder is left as it was.
func TestOpenRefusesWhatItDidNotWrite(t *testing.T) {
	legacy := "a bbb run directory: bbb replaces it as a whole\n"
	cases := []struct {
		name    string
		marker  string            // "" none, "legacy", or "complete"
		files   map[string]string // besides the marker
		command string            // of the new run
		refuse  string            // "" accepted, else in the error
	}{
		{"listed files only", "complete", nil, "train", ""},
		{"a user's notes", "complete", map[string]string{"notes.txt": "mine"}, "train", "notes.txt"},
		{"a copied data file", "complete", map[string]string{"d.csv": "x,y\n"}, "train", "d.csv"},
		{"a file a listed name would not cover", "complete", map[string]string{"model.npz": "mine"}, "train", "model.npz"},
		{"another command's run", "complete", nil, "bench", "`bbb train`"},
		{"legacy marker with a user's notes", "legacy", map[string]string{"summary.json": "{}", "notes.txt": "mine"}, "train", "notes.txt"},
		// Issue 23, item 3: without a manifest no file is bbb's, however
		// it is named (a user's precious.npz was deleted).
		{"legacy marker and files", "legacy", map[string]string{"summary.json": "{}"}, "train", "from before run folders listed their files"},
		{"legacy marker only", "legacy", nil, "bench", ""},
		{"no marker, empty but for a subfolder", "", nil, "train", ""},
		{"no marker, bbb's names", "", map[string]string{"summary.json": "{}", "pred.csv": "", "precious.npz": "mine"}, "train", "no .bbb-run manifest"},
		{"no marker, a model", "", map[string]string{"precious.npz": "mine"}, "bench", "precious.npz"},
		{"no marker, a killed manifest write", "", map[string]string{".bbb-run.tmp": "{"}, "train", ""},
		{"an unreadable marker", "", map[string]string{Marker: "mine"}, "train", Marker},
		{"no marker, a home folder", "", map[string]string{".bashrc": "", "notes.txt": ""}, "train", ".bashrc"},
		{"many files", "", map[string]string{"a": "", "b": "", "c": "", "d": "", "e": ""}, "train", "a, b, c and 2 more"},
		{"a symlink", "complete", map[string]string{"@link": "summary.json"}, "train", "link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			switch tc.marker {
			case "complete":
				writeRun(t, out, "train", map[string]string{"summary.json": "{}", "losses.csv": "epoch\n"})
			case "legacy":
				os.Mkdir(out, 0o755)
				os.WriteFile(filepath.Join(out, Marker), []byte(legacy), 0o644)
			default:
				os.Mkdir(out, 0o755)
			}
			os.Mkdir(filepath.Join(out, "bench"), 0o755) // a subfolder is another run: never in the way
			for n, c := range tc.files {
				if l, ok := strings.CutPrefix(n, "@"); ok {
					os.Symlink(c, filepath.Join(out, l))
					continue
				}
				os.WriteFile(filepath.Join(out, n), []byte(c), 0o644)
			}
			before := names(t, out)
			if err := Check(out, tc.command); (err == nil) != (tc.refuse == "") || (err != nil && !strings.Contains(err.Error(), tc.refuse)) {
				t.Errorf("Check: %v, want a refusal naming %q", err, tc.refuse)
			}
			if got := names(t, parent); !slices.Equal(got, []string{"out"}) {
				t.Errorf("beside out after Check: %v", got)
			}
			d, err := Open(out, tc.command)
			if tc.refuse == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				d.Abort()
			} else {
				var re *Error
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.refuse) {
					t.Fatalf("got %v, want a refusal naming %s", err, tc.refuse)
				}
			}
			if got := names(t, out); !slices.Equal(got, before) {
				t.Errorf("out: %v, was %v", got, before)
			}
			if got := names(t, parent); !slices.Equal(got, []string{"out"}) {
				t.Errorf("beside out: %v", got)
			}
		})
	}
}

// Retiring a leftover deletes only the files its manifest lists; a file
// it does not list and subfolders move into out, and what out already
// has a name for stays in the kept leftover with its manifest.
func TestRetireDeletesOnlyListedFiles(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	writeRun(t, out, "train", map[string]string{"summary.json": "new"})
	old := filepath.Join(parent, sideName("out", "old-")+"x1")
	os.MkdirAll(filepath.Join(old, "bench"), 0o755)
	os.WriteFile(filepath.Join(old, "bench", "bench.json"), []byte("b"), 0o644)
	os.WriteFile(filepath.Join(old, "losses.csv"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(old, "notes.txt"), []byte("mine"), 0o644)    // added during the run
	os.WriteFile(filepath.Join(old, "summary.json"), []byte("mine"), 0o644) // unlisted, and out has one
	if err := writeMarker(old, manifest{Command: "train", State: stateComplete, Files: []string{"losses.csv"}}); err != nil {
		t.Fatal(err)
	}
	d := &Dir{Out: out, parent: parent, base: "out"}
	d.recover()
	if got := mustRead(t, filepath.Join(out, "bench", "bench.json")); got != "b" {
		t.Errorf("bench/bench.json: %q", got)
	}
	if got := mustRead(t, filepath.Join(out, "notes.txt")); got != "mine" {
		t.Errorf("notes.txt: %q", got)
	}
	if got := mustRead(t, filepath.Join(out, "summary.json")); got != "new" {
		t.Errorf("out/summary.json: %q", got)
	}
	if got := names(t, old); !slices.Equal(got, []string{Marker, "summary.json"}) {
		t.Errorf("kept leftover: %v, want its marker and the unlisted summary.json", got)
	}
	if len(d.Kept) != 1 || !strings.Contains(d.Kept[0], "summary.json") {
		t.Errorf("Kept %q", d.Kept)
	}
	// The next run refuses out (notes.txt is not bbb's) and deletes nothing.
	if _, err := Open(out, "train"); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("Open after: %v", err)
	}
	if got := mustRead(t, filepath.Join(old, "summary.json")); got != "mine" {
		t.Errorf("kept summary.json: %q", got)
	}
}

// A staged run that is aborted leaves out and its neighbours as they were.
func TestAbortLeavesPrevious(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	writeRun(t, out, "train", map[string]string{"summary.json": "old"})
	d, err := Open(out, "train")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(d.Stage, "summary.json"), []byte("new"), 0o644)
	os.WriteFile(filepath.Join(d.Stage, ".summary.json.tmp123"), []byte("ne"), 0o644)
	d.Abort()
	d.Abort()
	if err := d.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	if got := mustRead(t, filepath.Join(out, "summary.json")); got != "old" {
		t.Errorf("summary.json %q", got)
	}
	if got := names(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("beside out: %v", got)
	}
}

// A symlink to a folder is written through: the link stays a link.
func TestSymlinkOutWrittenThrough(t *testing.T) {
	parent := t.TempDir()
	real := filepath.Join(parent, "real")
	writeRun(t, real, "train", map[string]string{"summary.json": "old"})
	link := filepath.Join(parent, "link")
	os.Symlink("real", link)
	writeRun(t, link, "train", map[string]string{"summary.json": "new"})
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi, err)
	}
	if got := mustRead(t, filepath.Join(real, "summary.json")); got != "new" {
		t.Errorf("real/summary.json %q", got)
	}
}

func TestMountDecision(t *testing.T) {
	info := "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n" +
		"40 22 0:35 /host/data /out rw - ext4 /dev/sdb1 rw\n" +
		"41 22 8:1 /srv/a\\040b /mnt/a\\040b rw - ext4 /dev/sda1 rw\n"
	cases := []struct {
		path           string
		dev, parentDev uint64
		info           string
		want           bool
	}{
		{"/work/out", 1, 1, info, false},
		{"/work/out", 2, 1, "", true},  // another file system
		{"/out", 1, 1, info, true},     // a bind mount from the same one
		{"/mnt/a b", 1, 1, info, true}, // an escaped space
		{"/mnt/a", 1, 1, info, false},
		{"/", 1, 1, "", false},
	}
	for _, tc := range cases {
		if got := mountDecision(tc.path, tc.dev, tc.parentDev, tc.info); got != tc.want {
			t.Errorf("mountDecision(%q, %d, %d) = %v, want %v", tc.path, tc.dev, tc.parentDev, got, tc.want)
		}
	}
	if got := unescapeMount(`a\040b\134c\0`); got != `a b\c\0` {
		t.Errorf("unescapeMount: %q", got)
	}
}

// The current directory, or a folder holding it, is refused: replacing
// it would leave the shell in a deleted folder.
func TestOpenRefusesCurrentDirectory(t *testing.T) {
	parent := t.TempDir()
	sub := filepath.Join(parent, "a", "b")
	os.MkdirAll(sub, 0o755)
	t.Chdir(sub)
	for _, out := range []string{".", "..", sub, filepath.Join(parent, "a")} {
		if _, err := Open(out, "train"); err == nil || !strings.Contains(err.Error(), "current directory") {
			t.Errorf("Open(%q): %v, want a refusal", out, err)
		}
	}
	if got := names(t, filepath.Join(parent, "a")); !slices.Equal(got, []string{"b"}) {
		t.Errorf("a: %v", got)
	}
	d, err := Open("run", "train")
	if err != nil {
		t.Fatal(err)
	}
	d.Abort()
}
