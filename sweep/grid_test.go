package sweep

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func parse(t *testing.T, text string) *Grid {
	t.Helper()
	g, err := Parse(strings.NewReader(text), "g.grid")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return g
}

func TestParse(t *testing.T) {
	g := parse(t, `# a comment
seeds = [1, 2]          # the seed axis goes last
preset = quick
lr = [0.01, 0.003]
lr-milestones = "40,52"
prior = ["normal", mixture]
slurm.partition = debug
`)
	want := []Axis{
		{Flag: "preset", Values: []string{"quick"}, Line: 3},
		{Flag: "lr", Values: []string{"0.01", "0.003"}, List: true, Line: 4},
		{Flag: "lr-milestones", Values: []string{"40,52"}, Line: 5},
		{Flag: "prior", Values: []string{"normal", "mixture"}, List: true, Line: 6},
		{Flag: "seed", Values: []string{"1", "2"}, List: true, Line: 2},
	}
	if len(g.Axes) != len(want) {
		t.Fatalf("axes %+v, want %+v", g.Axes, want)
	}
	for i, a := range g.Axes {
		w := want[i]
		if a.Flag != w.Flag || !slices.Equal(a.Values, w.Values) || a.List != w.List || a.Line != w.Line {
			t.Errorf("axis %d = %+v, want %+v", i, a, w)
		}
	}
	if g.Slurm["partition"] != "debug" {
		t.Errorf("slurm options %v", g.Slurm)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"lr = []", `g.grid:1: key "lr": empty list`},
		{"lr = [ ]", `key "lr": empty list`},
		{"lr 0.01", `g.grid:1: "lr 0.01": want key = value`},
		{"--lr = 1", `key "--lr": want a bbb train flag name`},
		{"lr = [1, 2", `not closed`},
		{"lr = 1\nlr = 2", `g.grid:2: key "lr": already set on line 1`},
		{"seed = 1\nseeds = [1]", `key "seeds": already set on line 1`},
		{"lr =", `key "lr": empty value`},
		{"lr = [1,,2]", `key "lr": empty value`},
		{"x-cols = a,b", `in double quotes`},
		{`x = "a`, `bad double quotes`},
		{"slurm.nodes = 2", `key "slurm.nodes": unknown Slurm option`},
		{"slurm.time = [1, 2]", `one value, not a list`},
	} {
		_, err := Parse(strings.NewReader(c.text), "g.grid")
		var ge *GridError
		if !errors.As(err, &ge) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) = %v, want one line with %q", c.text, err, c.want)
		}
	}
}

func TestExpandNamesAndOrder(t *testing.T) {
	g := parse(t, "preset = quick\nhidden = [10, 20]\nlr = [1e-3, 0.01]\nseeds = [1, 2]\n")
	points, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 8 {
		t.Fatalf("%d points, want 8", len(points))
	}
	// The seed varies fastest; names carry the list keys only.
	for i, want := range []string{"hidden=10_lr=1e-3_seed=1", "hidden=10_lr=1e-3_seed=2", "hidden=10_lr=0.01_seed=1"} {
		if points[i].Name != want || points[i].Index != i {
			t.Errorf("point %d = %q (index %d), want %q", i, points[i].Name, points[i].Index, want)
		}
	}
	if got, want := points[7].Args, []string{"--preset=quick", "--hidden=20", "--lr=0.01", "--seed=2"}; !slices.Equal(got, want) {
		t.Errorf("args %q, want %q", got, want)
	}
	// Adding a value keeps every earlier point's name.
	g2 := parse(t, "preset = quick\nhidden = [10, 20, 40]\nlr = [1e-3, 0.01]\nseeds = [1, 2, 3]\n")
	points2, _ := Expand(g2)
	names := map[string]bool{}
	for _, p := range points2 {
		names[p.Name] = true
	}
	for _, p := range points {
		if !names[p.Name] {
			t.Errorf("%s lost when the grid grew", p.Name)
		}
	}
}

// A relative path of a grid is the file in the folder where the sweep is
// planned: the points' flags hold its absolute path (so a point trains on
// the same file whatever folder runs it, and one planned elsewhere is not
// taken for done), their names the value as written.
func TestExpandPathsAbsolute(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	g := parse(t, "data = [a.csv, /abs/b.csv]\nval = v.csv\nlr = 0.01\nsave = m.npz\n")
	points, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]string{
		{"--data=" + filepath.Join(dir, "a.csv"), "--val=" + filepath.Join(dir, "v.csv"), "--lr=0.01", "--save=" + filepath.Join(dir, "m.npz")},
		{"--data=/abs/b.csv", "--val=" + filepath.Join(dir, "v.csv"), "--lr=0.01", "--save=" + filepath.Join(dir, "m.npz")},
	} {
		if !slices.Equal(points[i].Args, want) {
			t.Errorf("point %d: args %q, want %q", i, points[i].Args, want)
		}
	}
	if points[0].Name != "data=a.csv" || points[0].Values["data"] != "a.csv" {
		t.Errorf("point 0: name %q, values %v; want the value as written", points[0].Name, points[0].Values)
	}
	// Planned from another folder, the same grid's points differ: a run of
	// the first plan is pending in the second (Plan.Pending).
	other := t.TempDir()
	t.Chdir(other)
	again, err := Expand(g)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(again[0].Args, points[0].Args) || again[0].Name != points[0].Name {
		t.Errorf("from another folder: args %q, name %q", again[0].Args, again[0].Name)
	}
}

func TestExpandEdgeCases(t *testing.T) {
	p, err := Expand(parse(t, "preset = quick\n"))
	if err != nil || len(p) != 1 || p[0].Name != "point" {
		t.Errorf("fixed flags only: %v %v, want one point named point", p, err)
	}
	_, err = Expand(parse(t, "a = [x/1, x_1]\n"))
	if err == nil || !strings.Contains(err.Error(), "both named") || !strings.Contains(err.Error(), "a folder name cannot hold") {
		t.Errorf("colliding names: %v", err)
	}
	_, err = Expand(parse(t, "a = [1, 2, 1]\n"))
	if err == nil || !strings.Contains(err.Error(), "points 0 and 2 are both named") || !strings.Contains(err.Error(), "one listed twice") {
		t.Errorf("a value listed twice: %v", err)
	}
	_, err = Expand(parse(t, "a = [1,2,3,4,5,6,7,8,9,10]\nb = [1,2,3,4,5,6,7,8,9,10]\nc = [1,2,3,4,5,6,7,8,9,10,11]\n"))
	if err == nil || !strings.Contains(err.Error(), "more than 1000 points") {
		t.Errorf("1100 points: %v", err)
	}
	g := &Grid{File: "g.grid", Axes: []Axis{{Flag: "lr", List: true}}}
	if _, err = Expand(g); err == nil || !strings.Contains(err.Error(), "0 points") {
		t.Errorf("an empty axis: %v", err)
	}
	for _, text := range []string{"", "# only a comment\n", "slurm.time = 1:00:00\n"} {
		if _, err = Expand(parse(t, text)); err == nil || !strings.Contains(err.Error(), "no keys") {
			t.Errorf("grid %q: %v, want no keys", text, err)
		}
	}
	g = parse(t, "")
	g.SetSeeds([]string{"1", "2"})
	if p, err = Expand(g); err != nil || len(p) != 2 {
		t.Errorf("no keys but --seeds: %v, %v", p, err)
	}
	long := strings.Repeat("v", 300)
	p, err = Expand(parse(t, "a = ["+long+"]\n"))
	if err != nil || len(p[0].Name) > maxName {
		t.Errorf("a long value: name of %d bytes, %v", len(p[0].Name), err)
	}
	p, _ = Expand(parse(t, "a = [..]\n"))
	if strings.Contains(p[0].Name, "/") || p[0].Name == ".." {
		t.Errorf("a value .. named %q", p[0].Name)
	}
}

func TestSetSeeds(t *testing.T) {
	g := parse(t, "seeds = [1]\nlr = [1, 2]\n")
	g.SetSeeds([]string{"4", "5", "6"})
	points, _ := Expand(g)
	if len(points) != 6 || points[5].Name != "lr=2_seed=6" {
		t.Errorf("%d points, last %q", len(points), points[len(points)-1].Name)
	}
}

func TestCheck(t *testing.T) {
	known := map[string]bool{"lr": true, "out": true, "preset": true}
	c := Checker{
		Known: func(f string) bool { return known[f] },
		Check: func(args []string) error {
			if slices.Contains(args, "--lr=100") {
				return fmt.Errorf("--lr 100: need a value > 0 and at most 10")
			}
			return nil
		},
	}
	for _, cs := range []struct{ text, want string }{
		{"lr = [0.1, 100]", `g.grid: point lr=100: --lr 100: need a value`},
		{"preset = quick\nfoo = [1]", `g.grid:2: key "foo": not a bbb train flag`},
		{"out = x", `g.grid:1: key "out": set by bbb sweep`},
		{"lr = [0.1, 1]", ``},
	} {
		g := parse(t, cs.text)
		points, err := Expand(g)
		if err != nil {
			t.Fatal(err)
		}
		err = Check(g, points, "dir", c)
		if cs.want == "" {
			if err != nil {
				t.Errorf("%q: %v", cs.text, err)
			}
			continue
		}
		var ge *GridError
		if !errors.As(err, &ge) || !strings.Contains(err.Error(), cs.want) {
			t.Errorf("%q: %v, want %q", cs.text, err, cs.want)
		}
	}
}

// A grid file that starts with a UTF-8 byte order mark reads as without
// it (train's CSV reader skips one too).
func TestParseBOM(t *testing.T) {
	a, b := parse(t, "hidden = [4, 8]\nlr = 0.01\n"), parse(t, "\ufeffhidden = [4, 8]\nlr = 0.01\n")
	if fmt.Sprint(a.Axes) != fmt.Sprint(b.Axes) {
		t.Errorf("with a byte order mark: %v, want %v", b.Axes, a.Axes)
	}
}

// One number spelt twice in a list (05 and 5, 0.01 and 1e-2) is refused:
// its two points would have two names and run twice.
func TestExpandOneValueTwoSpellings(t *testing.T) {
	for text, want := range map[string]string{
		"hidden = [05, 5]\n":                            `g.grid: key "hidden": 05 and 5 are one value (a point would run twice)`,
		"lr = [0.01, 0.02, 1e-2]\n":                     `g.grid: key "lr": 0.01 and 1e-2 are one value (a point would run twice)`,
		"lr = [0.01, 0.1]\nprior = [normal, mixture]\n": "",
		// A list value: item by item, as train reads it (spaces aside, numbers decimal).
		`lr-milestones = ["2,3", "4", "2, 3"]` + "\n": `g.grid: key "lr-milestones": 2,3 and 2, 3 are one value (a point would run twice)`,
		`lr-milestones = ["2,3", "02,3"]` + "\n":      `g.grid: key "lr-milestones": 2,3 and 02,3 are one value (a point would run twice)`,
		`x-cols = ["a,b", "a, b"]` + "\n":             `g.grid: key "x-cols": a,b and a, b are one value (a point would run twice)`,
		`lr-milestones = ["2,3", "2,4", "2"]` + "\n":  "",
		`x-cols = ["a,b", "b,a"]` + "\n":              "",
		// Names are text: files and columns that read as numbers differ.
		`x-cols = ["1,2", "01,2"]` + "\n":       "",
		`y-col = ["1", "01"]` + "\n":            "",
		`data = ["d,1.csv", "d, 1.csv"]` + "\n": "",
		`x-cols = ["1,2", " 1,2"]` + "\n":       `g.grid: key "x-cols": 1,2 and  1,2 are one value (a point would run twice)`,
		"hidden = [10, 010]\n":                  `g.grid: key "hidden": 10 and 010 are one value (a point would run twice)`,
		"hidden = [5, 0x5]\n":                   "", // (two spellings Expand does not equate: train refuses 0x5, the check of the points says so)
	} {
		_, err := Expand(parse(t, text))
		if (err == nil) != (want == "") || err != nil && err.Error() != want {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}
