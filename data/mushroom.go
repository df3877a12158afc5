package data

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/bbb-go/bbb/internal/boundedio"
)

// The UCI Mushroom data (CC BY 4.0; mushroom/README.md holds the attribution),
// shipped so that `bbb bandit` runs without a download.
//
//go:embed mushroom/agaricus-lepiota.csv
var mushroomCSV []byte

// ErrMushroomLayout is wrapped by the error of a file that is not the
// mushroom layout: a header of edibility and the 22 attribute names, then
// rows of single-letter categories with edibility e or p.
var ErrMushroomLayout = errors.New("data: mushrooms: not the UCI mushroom layout")

// MushroomAttributes are the 22 attribute columns of the header, in order,
// after "edibility".
var MushroomAttributes = []string{
	"cap-shape", "cap-surface", "cap-color", "bruises", "odor", "gill-attachment",
	"gill-spacing", "gill-size", "gill-color", "stalk-shape", "stalk-root",
	"stalk-surface-above-ring", "stalk-surface-below-ring", "stalk-color-above-ring",
	"stalk-color-below-ring", "veil-type", "veil-color", "ring-number", "ring-type",
	"spore-print-color", "population", "habitat",
}

// Mushrooms is the data set as bandit contexts: each mushroom's one-hot
// encoding of its 22 categorical attributes, and whether it is edible.
type Mushrooms struct {
	// Levels[j] lists attribute j's categories in the file, sorted: the
	// one-hot columns of attribute j, in this order.
	Levels [][]byte
	// Width is the one-hot context's length (117 for the UCI file).
	Width int
	// Hot[i] holds the one-hot columns set for mushroom i, one per attribute.
	Hot    [][]int32
	Edible []bool
}

// Len is the number of mushrooms.
func (m *Mushrooms) Len() int { return len(m.Edible) }

// EmbeddedMushrooms returns the shipped UCI file (8124 mushrooms), so that
// a bandit runs without a download.
func EmbeddedMushrooms() (*Mushrooms, error) { return ParseMushrooms(bytes.NewReader(mushroomCSV)) }

// MaxMushroomFile bounds the file LoadMushrooms reads: the UCI file is
// 365 KiB, so a larger one is not a mushroom file.
const MaxMushroomFile = 64 << 20

// EmbeddedMushroomsName is the name LoadMushrooms gives the shipped file
// (a run's summary names its data).
const EmbeddedMushroomsName = "built-in UCI agaricus-lepiota.csv"

// LoadMushrooms reads the mushroom CSV at path (ParseMushrooms), or the
// shipped copy when path is "", and returns the name to record for it:
// path, or EmbeddedMushroomsName. The file must be a regular file of at
// most MaxMushroomFile bytes; the read stops when the process is
// interrupted (internal/boundedio). An error opening it is the system's,
// without the path.
func LoadMushrooms(path string) (*Mushrooms, string, error) {
	if path == "" {
		d, err := EmbeddedMushrooms()
		return d, EmbeddedMushroomsName, err
	}
	f, err := boundedio.Open(path, MaxMushroomFile)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	d, err := ParseMushrooms(f)
	if err != nil {
		return nil, "", err
	}
	return d, path, nil
}

// ParseMushrooms reads a mushroom CSV: a header "edibility," and the 22 attribute
// names of MushroomAttributes, then one row per mushroom of edibility (e or
// p) and 22 one-character categories ("?" counts as a category, as stalk-root's
// missing value). Errors wrap ErrMushroomLayout and name the line.
func ParseMushrooms(r io.Reader) (*Mushrooms, error) {
	cr := csv.NewReader(macLines(skipBOM(r))) // (as ReadCSV: a byte order mark, classic Mac line ends)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty file (want the header edibility,%s,...,%s, then a row per mushroom)",
			ErrMushroomLayout, MushroomAttributes[0], MushroomAttributes[len(MushroomAttributes)-1])
	}
	if err != nil {
		return nil, fmt.Errorf("%w: line 1: %v", ErrMushroomLayout, err)
	}
	want := append([]string{"edibility"}, MushroomAttributes...)
	if !slices.Equal(head, want) {
		got := fmt.Sprintf("got %d columns starting %q", len(head), clip(head[0]))
		if len(head) == len(want) {
			i := 0
			for head[i] == want[i] {
				i++
			}
			got = fmt.Sprintf("column %d is %q, not %q", i+1, clip(head[i]), want[i])
		}
		return nil, fmt.Errorf("%w: line 1: want the header edibility,%s,...,%s (%d columns), %s",
			ErrMushroomLayout, MushroomAttributes[0], MushroomAttributes[len(MushroomAttributes)-1], len(want), got)
	}
	var cats [][]byte // per row, the 22 category letters
	var edible []bool
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrMushroomLayout, line, err)
		}
		if len(rec) != 1+len(MushroomAttributes) {
			return nil, fmt.Errorf("%w: line %d: %d columns, want %d", ErrMushroomLayout, line, len(rec), 1+len(MushroomAttributes))
		}
		switch rec[0] {
		case "e", "p":
		default:
			return nil, fmt.Errorf("%w: line %d: edibility %q, want e or p", ErrMushroomLayout, line, clip(rec[0]))
		}
		row := make([]byte, len(MushroomAttributes))
		for j, v := range rec[1:] {
			if len(v) != 1 || !(v[0] >= 'a' && v[0] <= 'z' || v[0] == '?') {
				return nil, fmt.Errorf("%w: line %d: %s %q, want one lower-case letter or ?", ErrMushroomLayout, line, MushroomAttributes[j], clip(v))
			}
			row[j] = v[0]
		}
		cats = append(cats, row)
		edible = append(edible, rec[0] == "e")
	}
	if len(cats) == 0 {
		return nil, fmt.Errorf("%w: no mushrooms after the header", ErrMushroomLayout)
	}
	return encodeMushrooms(cats, edible), nil
}

// encodeMushrooms builds the one-hot columns: attribute j's categories, sorted,
// after those of attributes 0..j-1.
func encodeMushrooms(cats [][]byte, edible []bool) *Mushrooms {
	m := &Mushrooms{Levels: make([][]byte, len(MushroomAttributes)), Edible: edible, Hot: make([][]int32, len(cats))}
	offset := make([]int32, len(MushroomAttributes))
	for j := range MushroomAttributes {
		var seen [256]bool
		for _, row := range cats {
			seen[row[j]] = true
		}
		for c := range seen {
			if seen[c] {
				m.Levels[j] = append(m.Levels[j], byte(c))
			}
		}
		offset[j] = int32(m.Width)
		m.Width += len(m.Levels[j])
	}
	for i, row := range cats {
		hot := make([]int32, len(MushroomAttributes))
		for j, c := range row {
			hot[j] = offset[j] + int32(bytes.IndexByte(m.Levels[j], c))
		}
		m.Hot[i] = hot
	}
	return m
}
