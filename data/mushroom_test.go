package data

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var mushroomHeader = "edibility," + strings.Join(MushroomAttributes, ",") + "\n"

// mushroomRow is a hand-made mushroom: edibility then 22 categories, each c
// except the first (cap-shape), first.
func mushroomRow(edibility string, first, c byte) string {
	cats := make([]string, len(MushroomAttributes))
	for j := range cats {
		cats[j] = string(c)
	}
	cats[0] = string(first)
	return edibility + "," + strings.Join(cats, ",") + "\n"
}

func TestParseMushroomsOneHot(t *testing.T) {
	m, err := ParseMushrooms(strings.NewReader(mushroomHeader + mushroomRow("e", 'x', 'a') + mushroomRow("p", 'b', '?')))
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 2 || !m.Edible[0] || m.Edible[1] {
		t.Fatalf("edible %v", m.Edible)
	}
	// Every attribute has two categories here: '?' < 'a', 'b' < 'x'.
	if m.Width != 2*len(MushroomAttributes) {
		t.Fatalf("width %d, want %d", m.Width, 2*len(MushroomAttributes))
	}
	want0 := []int32{1} // cap-shape x is the second of {b, x}
	want1 := []int32{0} // b is the first
	for j := 1; j < len(MushroomAttributes); j++ {
		want0 = append(want0, int32(2*j+1)) // a after ?
		want1 = append(want1, int32(2*j))
	}
	if !slices.Equal(m.Hot[0], want0) || !slices.Equal(m.Hot[1], want1) {
		t.Errorf("hot %v %v, want %v %v", m.Hot[0], m.Hot[1], want0, want1)
	}
}

func TestParseMushroomsRejectsOtherLayouts(t *testing.T) {
	good := mushroomRow("e", 'x', 'a')
	for name, text := range map[string]string{
		"empty":          "",
		"header only":    mushroomHeader,
		"other header":   "class," + strings.Join(MushroomAttributes, ",") + "\n" + good,
		"short header":   "edibility,cap-shape\n" + good,
		"a curve CSV":    "x,y\n1,2\n",
		"short row":      mushroomHeader + "e,x,s\n",
		"bad edibility":  mushroomHeader + strings.Replace(good, "e,", "q,", 1),
		"long category":  mushroomHeader + strings.Replace(good, ",a,", ",ab,", 1),
		"digit category": mushroomHeader + strings.Replace(good, ",a,", ",1,", 1),
	} {
		_, err := ParseMushrooms(strings.NewReader(text))
		if !errors.Is(err, ErrMushroomLayout) {
			t.Errorf("%s: err %v, want ErrMushroomLayout", name, err)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of several lines: %q", name, err)
		}
	}
}

// A header after a UTF-8 byte order mark (a spreadsheet's "CSV UTF-8")
// reads as without it; an empty file says so.
func TestParseMushroomsBOMAndEmpty(t *testing.T) {
	text := mushroomHeader + mushroomRow("e", 'x', 'a')
	plain, err := ParseMushrooms(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	quoted := `"` + strings.ReplaceAll(strings.TrimSuffix(mushroomHeader, "\n"), ",", `","`) + "\"\n" + strings.TrimPrefix(text, mushroomHeader)
	for name, in := range map[string]string{
		"a byte order mark":                        "\ufeff" + text,
		"a byte order mark before a quoted header": "\ufeff" + quoted,
		"classic Mac line ends":                    strings.ReplaceAll(text, "\n", "\r"),
	} {
		if got, err := ParseMushrooms(strings.NewReader(in)); err != nil || !reflect.DeepEqual(got, plain) {
			t.Errorf("with %s: %v, %+v; want %+v", name, err, got, plain)
		}
	}
	_, err = ParseMushrooms(strings.NewReader(""))
	if err == nil || !strings.Contains(err.Error(), ": empty file (want the header edibility,cap-shape,...,habitat, then a row per mushroom)") {
		t.Errorf("empty: %v", err)
	}
}

func TestEmbeddedMushrooms(t *testing.T) {
	m, err := EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	edible := 0
	for _, e := range m.Edible {
		if e {
			edible++
		}
	}
	// The UCI file: 8124 mushrooms, 4208 edible, 117 categories.
	if m.Len() != 8124 || edible != 4208 || m.Width != 117 {
		t.Errorf("%d mushrooms, %d edible, width %d; want 8124, 4208, 117", m.Len(), edible, m.Width)
	}
}

// LoadMushrooms reads a file, or the shipped copy for "", and names it;
// a file of another layout is refused with ErrMushroomLayout.
func TestLoadMushrooms(t *testing.T) {
	d, name, err := LoadMushrooms("")
	if err != nil || d.Len() != 8124 || name != EmbeddedMushroomsName {
		t.Fatalf("built-in: %d mushrooms, %q, %v", d.Len(), name, err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "m.csv")
	if err := os.WriteFile(good, []byte(mushroomHeader+mushroomRow("e", 'x', 'a')), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, name, err := LoadMushrooms(good); err != nil || d.Len() != 1 || name != good {
		t.Fatalf("%s: %v, %q, %v", good, d, name, err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("x,y\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadMushrooms(bad); !errors.Is(err, ErrMushroomLayout) || !strings.HasPrefix(err.Error(), "data: mushrooms: not the UCI mushroom layout: line 1") {
		t.Fatalf("%s: %v", bad, err)
	}
	if _, _, err := LoadMushrooms(filepath.Join(dir, "none.csv")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
	if _, _, err := LoadMushrooms(dir); err == nil {
		t.Fatal("a folder: no error")
	}
}

// A refusal names the header column that differs, and quotes no more than
// the first 40 bytes of a cell.
func TestParseMushroomsErrorText(t *testing.T) {
	good := mushroomRow("e", 'x', 'a')
	long := strings.Repeat("z", 5000)
	for text, want := range map[string]string{
		strings.Replace(mushroomHeader, "cap-shape", "capshape", 1) + good: `column 2 is "capshape", not "cap-shape"`,
		mushroomHeader + strings.Replace(good, ",a,", ","+long+",", 1):     `"` + long[:40] + `...", want one lower-case letter or ?`,
		mushroomHeader + strings.Replace(good, "e,", long+",", 1):          `edibility "` + long[:40] + `...", want e or p`,
		long + "\n" + good: `got 1 columns starting "` + long[:40] + `..."`,
	} {
		_, err := ParseMushrooms(strings.NewReader(text))
		if err == nil || !strings.Contains(err.Error(), want) || len(err.Error()) > 300 {
			t.Errorf("error %.300q, want it to hold %q", err, want)
		}
	}
}
