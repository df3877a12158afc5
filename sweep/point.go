package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/internal/settingflag"
)

// Point is one run of a sweep: its flags and the name of its folder.
type Point struct {
	Index  int               `json:"index"` // the Slurm array index
	Name   string            `json:"name"`  // DIR/runs/<Name>
	Values map[string]string `json:"values"`
	Args   []string          `json:"args"` // train flags, --flag=value in grid order, without --out
}

// MaxPoints bounds a grid: beyond it a typo (a list of thousands) is more
// likely than a plan, and a Slurm array's default MaxArraySize is 1001.
const MaxPoints = 1000

// maxName bounds a point's folder name (a file name is at most 255 bytes).
const maxName = 160

// Expand returns the grid's points: the product of its lists, the last key
// varying fastest. A point's name is key=value for every key written as a
// list, joined by _: it does not depend on the point's position, so adding
// a value to a list keeps the other points' names (and their runs).
func Expand(g *Grid) ([]Point, error) {
	if len(g.Axes) == 0 { // (the empty product: one point of train's defaults, hours of work nobody wrote)
		return nil, gridErrorf("%s: no keys (a grid needs a key = value line, or --seeds)", g.File)
	}
	n := 1
	for _, a := range g.Axes {
		n *= len(a.Values)
		if n > MaxPoints {
			return nil, gridErrorf("%s: more than %d points (the product of the lists)", g.File, MaxPoints)
		}
	}
	if n == 0 {
		return nil, gridErrorf("%s: 0 points", g.File)
	}
	for _, a := range g.Axes { // (one value spelt twice would run twice under two names)
		for i, v := range a.Values {
			for _, w := range a.Values[:i] {
				if v != w && sameValue(a.Flag, v, w) {
					return nil, gridErrorf("%s: key %q: %s and %s are one value (a point would run twice)", g.File, a.Flag, w, v)
				}
			}
		}
	}
	points := make([]Point, n)
	names := map[string]int{}
	for i := range points {
		p := Point{Index: i, Values: map[string]string{}}
		var parts []string
		rest := i
		for k := len(g.Axes) - 1; k >= 0; k-- { // the last axis varies fastest
			a := g.Axes[k]
			v := a.Values[rest%len(a.Values)]
			rest /= len(a.Values)
			p.Values[a.Flag] = v
			if a.List {
				parts = append(parts, a.Flag+"="+safeName(v))
			}
		}
		for _, a := range g.Axes {
			p.Args = append(p.Args, "--"+a.Flag+"="+argValue(a.Flag, p.Values[a.Flag]))
		}
		// (parts were gathered last axis first)
		for l, r := 0, len(parts)-1; l < r; l, r = l+1, r-1 {
			parts[l], parts[r] = parts[r], parts[l]
		}
		p.Name = pointName(parts)
		if j, dup := names[p.Name]; dup {
			why := "values that differ only in characters a folder name cannot hold"
			if slices.Equal(points[j].Args, p.Args) {
				why = "the same values: one listed twice"
			}
			return nil, gridErrorf("%s: points %d and %d are both named %q (%s)", g.File, j, i, p.Name, why)
		}
		names[p.Name] = i
		points[i] = p
	}
	return points, nil
}

// PathFlags are train's flags that name files or folders. A grid's
// relative path is the file where the sweep is planned (the current
// folder then), taken as an absolute path into the points' flags: a point
// then trains on the same file whatever folder runs it (a Slurm task, the
// sweep run again from elsewhere), and a point planned on another file is
// not taken for done. Its name keeps the value as written.
var PathFlags = []string{"data", "val", "resume", "save", "cpuprofile", "from", "mnist-dir"}

// argValue is the value of flag in a point's train flags: v, or for a
// relative path of PathFlags, its absolute path.
func argValue(flag, v string) string {
	if v == "" || filepath.IsAbs(v) || !slices.Contains(PathFlags, flag) {
		return v
	}
	if abs, err := filepath.Abs(v); err == nil {
		return abs
	}
	return v
}

// safeName keeps letters, digits and . + - of a value; others become _.
func safeName(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '+', r == '-':
			return r
		}
		return '_'
	}, v)
}

func pointName(parts []string) string {
	if len(parts) == 0 {
		return "point"
	}
	name := strings.Join(parts, "_")
	if name == "." || name == ".." {
		name = "_" + name
	}
	if len(name) > maxName { // too long for a file name: a prefix and a hash of the whole
		sum := sha256.Sum256([]byte(name))
		name = name[:maxName-17] + "-" + hex.EncodeToString(sum[:8])
	}
	return name
}

// RunDir is the point's train --out folder in the sweep folder dir.
func (p Point) RunDir(dir string) string { return filepath.Join(dir, "runs", p.Name) }

// TrainArgs is the point's `bbb train` command line (after "train") into
// its folder in dir.
func (p Point) TrainArgs(dir string) []string {
	return append(append([]string(nil), p.Args...), "--out="+p.RunDir(dir))
}

// Checker knows bbb train's flags: Known reports a flag name, Check runs
// train's own parsing and checks of a command line, doing no work.
type Checker struct {
	Known func(flag string) bool
	Check func(args []string) error
}

// reserved are the train flags a sweep sets for every point.
var reserved = map[string]string{
	"out":        "each point's --out is DIR/runs/<point>",
	"resume":     "a sweep starts every point afresh",
	"save":       "every point would write the same file",
	"cpuprofile": "every point would write the same file",
	"h":          "not a run flag",
	"help":       "not a run flag",
}

// Check refuses, before anything runs, a grid with an unknown or reserved
// key or a point that bbb train refuses. The error names the key (and the
// point), in one line.
func Check(g *Grid, points []Point, dir string, c Checker) error {
	for _, a := range g.Axes {
		if why, ok := reserved[a.Flag]; ok {
			return gridErrorf("%s:%d: key %q: set by bbb sweep (%s)", g.File, a.Line, a.Flag, why)
		}
		if !c.Known(a.Flag) {
			return gridErrorf("%s:%d: key %q: not a bbb train flag (bbb train -h lists them)", g.File, a.Line, a.Flag)
		}
	}
	for _, p := range points {
		if err := c.Check(p.TrainArgs(dir)); err != nil {
			return gridErrorf("%s: point %s: %v", g.File, p.Name, err)
		}
	}
	return nil
}

// sameValue reports two spellings of one value of flag as train reads
// it: the same number (decimal, as a flag reads it: 5, 5.0, 05); for
// --lr-milestones the same list of them and for --x-cols the same list of
// names, spaces around items aside ("2,3", "2, 3", "02,3"). A file or
// column name is its text: d,1.csv and "d, 1.csv", columns 1 and 01 differ.
func sameValue(flag, v, w string) bool {
	switch flag {
	case "data", "val", "y-col", "resume", "from", "mnist-dir", "save", "cpuprofile":
		return v == w
	case "x-cols", "lr-milestones":
		vs, ws := strings.Split(v, ","), strings.Split(w, ",")
		if len(vs) != len(ws) {
			return false
		}
		for i := range vs {
			a, b := strings.TrimSpace(vs[i]), strings.TrimSpace(ws[i])
			if flag == "x-cols" && a != b || flag == "lr-milestones" && !sameNumber(a, b) {
				return false
			}
		}
		return true
	}
	return sameNumber(v, w)
}

// sameNumber reports two spellings of one number, or one text.
func sameNumber(a, b string) bool {
	x, errX := settingflag.ParseFloat(strings.TrimSpace(a))
	y, errY := settingflag.ParseFloat(strings.TrimSpace(b))
	return errX == nil && errY == nil && x == y || a == b
}
