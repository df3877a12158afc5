package sweep

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/internal/boundedio"
)

// GridError is a grid file that cannot run: a syntax error, an unknown or
// repeated key, an empty list, or a point bbb train refuses. Its message is
// one line naming the file and the key.
type GridError struct{ Msg string }

func (e *GridError) Error() string { return e.Msg }

func gridErrorf(format string, a ...any) error { return &GridError{fmt.Sprintf(format, a...)} }

// Axis is one key of a grid file: a bbb train flag and its values.
type Axis struct {
	Flag   string   // the train flag, without dashes ("seeds" is read as "seed")
	Values []string // as written; one value for a fixed flag
	List   bool     // written as [..]: the point names carry it
	Line   int
}

// Grid is a parsed grid file: the train flags in file order (the seed
// axis last) and the scheduler options (slurm.* keys).
type Grid struct {
	File  string
	Axes  []Axis
	Slurm map[string]string // partition, time, mem, gres, cpus-per-task, account, qos
}

// SlurmKeys are the scheduler options a grid file may set (slurm.KEY).
var SlurmKeys = []string{"partition", "time", "mem", "gres", "cpus-per-task", "account", "qos"}

// seedFlag is the train flag the "seeds" key sweeps.
const seedFlag = "seed"

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

// Parse reads a grid file: one `key = value` or `key = [v1, v2, ...]` per
// line, # starts a comment, a value with a comma or a bracket is written
// in double quotes. name is the file's name for errors.
func Parse(r io.Reader, name string) (*Grid, error) {
	g := &Grid{File: name, Slurm: map[string]string{}}
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if n == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // a UTF-8 byte order mark (editors on Windows write one)
		}
		line := stripComment(text)
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" {
			return nil, gridErrorf("%s:%d: %q: want key = value or key = [v1, v2]", name, n, strings.TrimSpace(line))
		}
		if !keyPattern.MatchString(key) {
			return nil, gridErrorf("%s:%d: key %q: want a bbb train flag name without dashes (lower case, digits, -)", name, n, key)
		}
		flag := key
		if key == "seeds" {
			flag = seedFlag
		}
		if prev, dup := seen[flag]; dup {
			return nil, gridErrorf("%s:%d: key %q: already set on line %d", name, n, key, prev)
		}
		seen[flag] = n
		values, list, err := parseValue(val)
		if err != nil {
			return nil, gridErrorf("%s:%d: key %q: %v", name, n, key, err)
		}
		if list && len(values) == 0 {
			return nil, gridErrorf("%s:%d: key %q: empty list (a list needs at least one value)", name, n, key)
		}
		if opt, ok := strings.CutPrefix(key, "slurm."); ok {
			if !slices.Contains(SlurmKeys, opt) {
				return nil, gridErrorf("%s:%d: key %q: unknown Slurm option (want slurm. and one of %s)", name, n, key, strings.Join(SlurmKeys, ", "))
			}
			if list {
				return nil, gridErrorf("%s:%d: key %q: one value, not a list", name, n, key)
			}
			g.Slurm[opt] = values[0]
			continue
		}
		g.Axes = append(g.Axes, Axis{Flag: flag, Values: values, List: list, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, gridErrorf("%s: %v", name, err)
	}
	// The seed axis goes last: a point's seeds are neighbours in every listing.
	slices.SortStableFunc(g.Axes, func(a, b Axis) int {
		return boolInt(a.Flag == seedFlag) - boolInt(b.Flag == seedFlag)
	})
	return g, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stripComment cuts the line at a # outside double quotes.
func stripComment(s string) string {
	quoted := false
	for i, c := range s {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '#' && !quoted:
			return s[:i]
		}
	}
	return s
}

// parseValue reads `v` or `[v1, v2, ...]`; values may be double-quoted.
func parseValue(s string) (values []string, list bool, err error) {
	if inner, ok := strings.CutPrefix(s, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if !ok {
			return nil, true, errors.New("a list opened with [ is not closed with ] on the same line")
		}
		if strings.TrimSpace(inner) == "" {
			return nil, true, nil
		}
		for _, v := range splitOutsideQuotes(inner) {
			if v, err = unquote(strings.TrimSpace(v)); err != nil {
				return nil, true, err
			}
			values = append(values, v)
		}
		return values, true, nil
	}
	v, err := unquote(s)
	if err != nil {
		return nil, false, err
	}
	return []string{v}, false, nil
}

func splitOutsideQuotes(s string) []string {
	var out []string
	quoted, start := false, 0
	for i, c := range s {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unquote(v string) (string, error) {
	if strings.HasPrefix(v, `"`) {
		u, err := strconv.Unquote(v)
		if err != nil {
			return "", fmt.Errorf("value %s: unbalanced or bad double quotes", v)
		}
		return u, nil
	}
	switch {
	case v == "":
		return "", errors.New("empty value (write \"\" for an empty string)")
	case strings.ContainsAny(v, `[]",`):
		return "", fmt.Errorf("value %q: a value with a comma, bracket or quote is written in double quotes", v)
	}
	return v, nil
}

// SetSeeds replaces the grid's seed axis by seeds (the --seeds flag).
func (g *Grid) SetSeeds(seeds []string) {
	g.Axes = slices.DeleteFunc(g.Axes, func(a Axis) bool { return a.Flag == seedFlag })
	g.Axes = append(g.Axes, Axis{Flag: seedFlag, Values: seeds, List: true})
}

// MaxGridBytes is how much of a grid file ReadGrid reads.
const MaxGridBytes = 1 << 20

// A FileError is a grid file that cannot be read: it cannot be opened, or
// it is not a regular file. Err is the reason, without the path.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }

// errNotRegular is a grid path that names a folder, a device or a FIFO.
var errNotRegular = errors.New("not a regular file")

// ReadGrid reads the grid file at path (Parse, of its first MaxGridBytes
// bytes). A file it cannot read is a *FileError, one it cannot parse a
// *GridError that names path and the line.
func ReadGrid(path string) (*Grid, error) {
	// Stat first: opening a FIFO would wait for a writer.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, &FileError{path, boundedio.Regular(st)}
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, &FileError{path, unwrapPath(err)}
	}
	defer fh.Close()
	if st, err := fh.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, &FileError{path, errNotRegular}
	}
	return Parse(io.LimitReader(fh, MaxGridBytes), path)
}

// ParseSeeds reads a comma-separated list of seeds (the --seeds flag) for
// SetSeeds: each a whole number, spaces around it dropped, each once.
func ParseSeeds(s string) ([]string, error) {
	seeds := strings.Split(s, ",")
	for i, v := range seeds {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sweep: seeds %q: want comma-separated whole numbers", s)
		}
		seeds[i] = strconv.FormatUint(n, 10) // (01 is seed 1: one name, one point)
		if slices.Contains(seeds[:i], seeds[i]) {
			return nil, fmt.Errorf("sweep: seeds %q: seed %s listed twice", s, seeds[i])
		}
	}
	return seeds, nil
}
