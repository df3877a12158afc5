package job

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/modelfile"
)

// RecordedFlags are the model and data flags but --workers and --threads,
// sorted.
func TestRecordedFlags(t *testing.T) {
	names := RecordedFlags()
	if !slices.IsSorted(names) {
		t.Errorf("not sorted: %v", names)
	}
	for _, want := range []string{"layers", "hidden", "prior", "lr", "seed", "data", "val-split", "x-cols", "dtype"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s missing from %v", want, names)
		}
	}
	for _, not := range []string{"workers", "threads", "device", "epochs", "out"} {
		if slices.Contains(names, not) {
			t.Errorf("%s in %v", not, names)
		}
	}
}

// FileSettings reads back what a version 1 file's flags say, the others
// at their defaults; a value a setting cannot hold is named with its
// flag.
func TestFileSettings(t *testing.T) {
	c := &modelfile.File{Version: 1, Flags: map[string]string{"layers": "3", "hidden": "7", "prior": "mixture", "val-split": "0.3", "workers": "9"}}
	m, d, err := FileSettings(c)
	if err != nil {
		t.Fatal(err)
	}
	if m.Layers != 3 || m.Hidden != 7 || m.Prior != "mixture" || d.ValSplit != 0.3 {
		t.Errorf("got layers %d hidden %d prior %q val-split %v, want 3 7 mixture 0.3", m.Layers, m.Hidden, m.Prior, d.ValSplit)
	}
	if m.LR != 0.01 || m.Dtype != "float32" {
		t.Errorf("unrecorded: lr %v dtype %q, want the defaults 0.01 float32", m.LR, m.Dtype)
	}
	if m.Workers == 9 {
		t.Errorf("workers 9 restored: a file does not record it")
	}
	c.Flags["hidden"] = "x"
	if _, _, err := FileSettings(c); err == nil || !strings.HasPrefix(err.Error(), `meta: flag --hidden "x": `) {
		t.Errorf("hidden x: %v", err)
	}
}

// FileConfig is the saved network, its sizes and parameters checked and
// its problems named by the recorded flags.
func TestFileConfig(t *testing.T) {
	_, c := trainedNet(t)
	cfg, err := FileConfig(c, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Layers != 2 || cfg.Hidden != 4 || cfg.Inputs != 1 { // (tiny's)
		t.Errorf("config %+v, want the saved network's 2 layers of 4, 1 input", cfg)
	}
	for _, tc := range []struct {
		edit func(*modelfile.Model)
		want string
	}{
		{func(m *modelfile.Model) { m.Network.Hidden = 5 }, "parameter w_mu0: shape [1 4] in the file, the model needs [1 5] (--layers 2 --hidden 5, 1 inputs)"},
		{func(m *modelfile.Model) { m.Network.Layers = 3 }, "meta: --layers 3 --hidden 4 make"},
		{func(m *modelfile.Model) { m.Network.Dtype = "float16" }, `meta: --dtype "float16": want float32 or float64`},
		{func(m *modelfile.Model) { m.Network.Hidden = 1 << 40 }, "meta: --hidden"},
	} {
		e := *c
		tc.edit(&e.Model)
		if _, err := FileConfig(&e, false, 0); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v", tc.want, err)
		}
	}
	one := &modelfile.File{Version: 1, Flags: map[string]string{"layers": "1", "hidden": "1"}} // (the smallest network: refused for its missing arrays only)
	if _, err := FileConfig(one, false, 0); err == nil || strings.Contains(err.Error(), "need at least 1") {
		t.Errorf("layers 1 hidden 1: %v", err)
	}
	v1 := &modelfile.File{Version: 1, Flags: map[string]string{"layers": "0"}}
	if _, err := FileConfig(v1, false, 0); err == nil || err.Error() != "meta: --layers 0 --hidden 20: need at least 1 each" {
		t.Errorf("layers 0: got %v", err)
	}
}

// Restore fills what the file records, keeps what was given, and names
// the first given setting that differs, after restoring the rest.
func TestRestore(t *testing.T) {
	file := func() *modelfile.File {
		return &modelfile.File{Version: 1, Flags: map[string]string{"layers": "3", "hidden": "7", "x-cols": "", "y-col": ""},
			Model: modelfile.Model{XNames: []string{"a", "b"}, YName: "y"}}
	}
	byFlag := func(s string) string { return settingflag.Names(&ModelSettings{}, &DataSettings{})[s] }
	for _, tc := range []struct {
		name  string
		given map[string]bool
		set   func(*ModelSettings, *DataSettings)
		want  string // the error, with the settings' flags
	}{
		{"nothing given", nil, func(*ModelSettings, *DataSettings) {}, ""},
		{"the same hidden", map[string]bool{"hidden": true}, func(m *ModelSettings, _ *DataSettings) { m.Hidden = 7 }, ""},
		{"another hidden", map[string]bool{"hidden": true}, func(m *ModelSettings, _ *DataSettings) { m.Hidden = 9 }, "--hidden 9: m.npz was trained with --hidden 7"},
		{"its columns named", map[string]bool{"x-cols": true, "y-col": true}, func(_ *ModelSettings, d *DataSettings) { d.XCols, d.YCol = "a, b", " y" }, ""},
		{"other columns", map[string]bool{"x-cols": true}, func(_ *ModelSettings, d *DataSettings) { d.XCols = "b" }, "--x-cols b: m.npz was trained without --x-cols (on its columns a,b)"},
		{"another target", map[string]bool{"y-col": true}, func(_ *ModelSettings, d *DataSettings) { d.YCol = "z" }, "--y-col z: m.npz was trained without --y-col (its target: y)"},
		{"two differ: the first", map[string]bool{"hidden": true, "layers": true}, func(m *ModelSettings, _ *DataSettings) { m.Hidden, m.Layers = 9, 4 }, "--hidden 9: m.npz was trained with --hidden 7"},
	} {
		var m ModelSettings
		var d DataSettings
		settingflag.SetDefaults(&m)
		settingflag.SetDefaults(&d)
		tc.set(&m, &d)
		hidden := m.Hidden
		err := Restore(file(), &m, &d, tc.given, "m.npz")
		if tc.want != "" { // (a file named like a placeholder keeps its name)
			m2, d2 := m, d
			var se *SettingError
			if !errors.As(Restore(file(), &m2, &d2, tc.given, "m{Hidden}{0}.npz"), &se) {
				t.Errorf("%s: no SettingError for m{Hidden}{0}.npz", tc.name)
			} else if got, want := se.Text(byFlag), strings.Replace(tc.want, "m.npz", "m{Hidden}{0}.npz", 1); got != want {
				t.Errorf("%s: got %q, want %q", tc.name, got, want)
			}
		}
		var got string
		if se := (*SettingError)(nil); errors.As(err, &se) {
			got = se.Text(byFlag)
		} else if err != nil {
			got = "not a SettingError: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		if !tc.given["layers"] && m.Layers != 3 {
			t.Errorf("%s: layers %d, want the file's 3", tc.name, m.Layers)
		}
		if tc.given["hidden"] && m.Hidden != hidden || !tc.given["hidden"] && m.Hidden != 7 {
			t.Errorf("%s: hidden %d", tc.name, m.Hidden)
		}
	}
}

// Recorded spells the settings as their flags do, files as absolute
// paths, and leaves out how a run runs.
func TestRecorded(t *testing.T) {
	var m ModelSettings
	var d DataSettings
	settingflag.SetDefaults(&m)
	settingflag.SetDefaults(&d)
	m.Hidden, m.Workers, d.Data, d.Val = 9, 3, "d.csv", "v.csv"
	r := Recorded(&m, &d)
	abs, err := filepath.Abs("d.csv")
	if err != nil {
		t.Fatal(err)
	}
	if r["hidden"] != "9" || r["data"] != abs || r["val"] != filepath.Join(filepath.Dir(abs), "v.csv") || r["lr"] != "0.01" {
		t.Errorf("hidden %q data %q val %q lr %q", r["hidden"], r["data"], r["val"], r["lr"])
	}
	d.Val = ""
	if r := Recorded(&m, &d); r["val"] != "" {
		t.Errorf("no --val recorded as %q", r["val"])
	}
	if _, ok := r["workers"]; ok || len(r) != len(RecordedFlags()) {
		t.Errorf("recorded %v, want RecordedFlags' %v", slices.Sorted(maps.Keys(r)), RecordedFlags())
	}
}

// MissingFile names a recorded file that has gone or is no longer a
// file, unless it was given again.
func TestMissingFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(file, []byte("x,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "gone.csv")
	for _, c := range []struct {
		d     DataSettings
		given map[string]bool
		want  string
	}{
		{DataSettings{Data: file}, nil, "//"},
		{DataSettings{}, nil, "//"},
		{DataSettings{Data: gone}, nil, "Data/" + gone + "/is not there now"},
		{DataSettings{Data: gone}, map[string]bool{"data": true}, "//"},
		{DataSettings{Data: dir}, nil, "Data/" + dir + "/is not a file now"},
		{DataSettings{Data: file, Val: gone}, nil, "Val/" + gone + "/is not there now"},
		{DataSettings{Data: gone, Val: dir}, nil, "Data/" + gone + "/is not there now"},
		{DataSettings{Data: gone, Val: gone}, map[string]bool{"data": true}, "Val/" + gone + "/is not there now"},
	} {
		s, p, what := c.d.MissingFile(c.given)
		if got := s + "/" + p + "/" + what; got != c.want {
			t.Errorf("%+v %v: got %s, want %s", c.d, c.given, got, c.want)
		}
	}
}

// Against a version 3 file a value spelt otherwise is the same value;
// against a version 1 file, which holds the flags' text, it is not.
func TestRestoreSpelling(t *testing.T) {
	v3 := &modelfile.File{Version: 3, Model: modelfile.Model{Optimiser: modelfile.Optimiser{Milestones: []int{40, 52}}}}
	v1 := &modelfile.File{Version: 1, Flags: map[string]string{"lr-milestones": "40,52"}}
	for _, c := range []struct {
		f    *modelfile.File
		want bool // refused
	}{{v3, false}, {v1, true}} {
		var m ModelSettings
		var d DataSettings
		settingflag.SetDefaults(&m)
		settingflag.SetDefaults(&d)
		m.LRMilestones = " 40, 52"
		err := Restore(c.f, &m, &d, map[string]bool{"lr-milestones": true}, "m.npz")
		if (err != nil) != c.want {
			t.Errorf("version %d: %v, want refused %v", c.f.Version, err, c.want)
		}
	}
}

// A data or validation file given again by another path to the same file
// agrees with the recorded one; another file does not.
func TestRestoreSameDataFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "d.csv")
	other := filepath.Join(dir, "e.csv")
	for _, f := range []string{file, other} {
		if err := os.WriteFile(f, []byte("x,y\n1,2\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"data", "val"} {
		c := &modelfile.File{Version: 1, Flags: map[string]string{flag: file}}
		for given, refused := range map[string]bool{file: false, dir + "/./d.csv": false, link: false, other: true} {
			var m ModelSettings
			var d DataSettings
			settingflag.SetDefaults(&m)
			settingflag.SetDefaults(&d)
			got := &d.Data
			if flag == "val" {
				got = &d.Val
			}
			*got = given
			err := Restore(c, &m, &d, map[string]bool{flag: true}, "m.npz")
			if (err != nil) != refused || *got != given {
				t.Errorf("--%s %s: %v (now %s), want refused %v", flag, given, err, *got, refused)
			}
		}
	}
}
