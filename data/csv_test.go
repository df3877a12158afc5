package data

import (
	"errors"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseCSV(t *testing.T) {
	tab, err := ParseCSV(strings.NewReader("a, b,y\n1,2,3\n4,5e1,-6\n\n7,8,9\n"), "f.csv", CSVColumns{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != 3 || strings.Join(tab.XNames, ",") != "a,b" || tab.YName != "y" || tab.X[3] != 50 || tab.Y[1] != -6 {
		t.Errorf("%+v", tab)
	}
	for _, in := range []string{"\ufeffx,y\n1,2\n", "\ufeff\"x\",\"y\"\n1,2\n", "\ufeff\"x\"\n1\n"} { // (a quoted first name too: utf-8-sig with QUOTE_ALL)
		if tab, err := ParseCSV(strings.NewReader(in), "f.csv", CSVColumns{XCols: []string{"x"}, NoTarget: strings.Count(in, ",") == 0}); err != nil || tab.Rows() != 1 || tab.XNames[0] != "x" || tab.X[0] != 1 {
			t.Errorf("byte order mark, %q: %+v, %v", in, tab, err)
		}
	}
	for _, in := range []string{"x,y\r1,2\r3,4\r", "\ufeffx,y\r1,2\r3,4", "x,y\r\n1,2\r\n3,4\r\n", "x,\"y\"\r1,2\r3,\"4\"\r"} { // (classic Mac line ends; Windows')
		if tab, err := ParseCSV(strings.NewReader(in), "f.csv", CSVColumns{}); err != nil || tab.Rows() != 2 || tab.Y[1] != 4 {
			t.Errorf("line ends of %q: %+v, %v", in, tab, err)
		}
	}
	if tab, err := ParseCSV(strings.NewReader("x,\ufeffy\n1,2\n"), "f.csv", CSVColumns{XCols: []string{"x"}, YCol: "y"}); err == nil {
		t.Errorf("a byte order mark inside the header was taken: %+v", tab) // (only the file's first bytes are one)
	}
	tab, err = ParseCSV(strings.NewReader("y,skip,a\n1,x,2\n3,,4\n"), "f.csv", CSVColumns{XCols: []string{"a"}, YCol: "y"})
	if err != nil || tab.Rows() != 2 || tab.X[1] != 4 || tab.Y[1] != 3 {
		t.Errorf("%+v %v", tab, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "f.csv: empty file"},
		{"a,y\n", "f.csv: no data rows"},
		{"a,y\n1,2\n3,x\n", `f.csv:3:3: column "y": "x" is not a number`},
		{"a,y\n1,2\n3,2_0\n", `f.csv:3:3: column "y": "2_0" is not a number`},
		{"a,y\n1,2\n3,-1e400\n", `f.csv:3:3: column "y": -1e400 is beyond ±1e+100, where standardising overflows: rescale the column`},
		{"a,y\n1,2\n0x1p3,2\n", `f.csv:3:1: column "a": "0x1p3" is not a number`},
		{"a,y\n1,2\n3,-0X1P-2\n", `f.csv:3:3: column "y": "-0X1P-2" is not a number`},
		{"a,y\n1,2\n3,NaN\n", `f.csv:3:3: column "y": NaN (want a finite number)`},
		{"a,y\n1,2\n-Inf,1\n", `f.csv:3:1: column "a": -Inf`},
		{"a,y\n1,2\n1,2,3\n", "f.csv:3:1: ragged row: 3 fields, the header has 2"},
		{"a,y\n1,\n", `f.csv:2:3: column "y": empty cell`},
		{"a,a\n1,2\n", `f.csv:1:3: column "a" appears twice`},
		{"a\n1\n", "f.csv:1: the header has 1 column"},
		{"a,y\n1,\"2\n", "f.csv:2:"},
		{"\xff\xfea\x00,\x00y\x00\n\x00", "f.csv:1: UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8"},
		{"\xfe\xff\x00a\x00,\x00y\x00\n", "f.csv:1: UTF-16 text"},
	} {
		_, err := ParseCSV(strings.NewReader(tc.in), "f.csv", CSVColumns{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line starting %q", tc.in, err, tc.want)
		}
	}
	for _, c := range []CSVColumns{{YCol: "z"}, {XCols: []string{"q"}}, {XCols: []string{"y"}}} {
		if _, err := ParseCSV(strings.NewReader("a,y\n1,2\n"), "f.csv", c); err == nil || !strings.HasPrefix(err.Error(), "f.csv:1") {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestHeaderList(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{[]string{"a", "y"}, `"a","y"`},
		{[]string{"0", "\n"}, `"0","\n"`},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8"}, `"1","2","3","4","5","6","7","8"`},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, `"1","2","3","4","5","6","7","8",... (9 columns)`},
		{[]string{strings.Repeat("x", 50), "y"}, `"` + strings.Repeat("x", 40) + `...","y"`},
	} {
		if got := headerList(tc.header); got != tc.want {
			t.Errorf("headerList(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
	// What the fuzzer found: a quoted header name holding a newline.
	_, err := ParseCSV(strings.NewReader("0,\"a\nb\"\n1,2\n"), "f.csv", CSVColumns{YCol: "1"})
	if want := `f.csv:1: no column "1" (--y-col) in the header "0","a\nb"`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// FuzzCSV: the reader never panics; what it accepts is whole and finite,
// and what it refuses is one line naming the file.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{"a,b,y\n1,2,3\n4,5,6\n", "x,y\n1e308,2\n", "a,y\n\"1\",2\n", "a,y\n1,2,3\n", "", "a,y\r\n1,2\r\n"} {
		f.Add(s, "")
	}
	f.Add("a,b,y\n1,2,3\n", "b")
	f.Add("0,\"a\nb\"\n1,2\n", "1")
	f.Fuzz(func(t *testing.T, in, ycol string) {
		tab, err := ParseCSV(strings.NewReader(in), "f.csv", CSVColumns{YCol: ycol})
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "f.csv") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q", msg)
			}
			return
		}
		if tab.Rows() == 0 || len(tab.XNames) == 0 || len(tab.X) != tab.Rows()*len(tab.XNames) {
			t.Fatalf("%d rows, %d names, %d x", tab.Rows(), len(tab.XNames), len(tab.X))
		}
		for _, v := range append(tab.X, tab.Y...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatal("non-finite value accepted")
			}
		}
	})
}

// The CSV paths the table above does not reach: a whitespace-only line
// (encoding/csv skips only empty ones), inputs without a target, an empty
// header name, a missing file and a reader that fails.
func TestParseCSVEdges(t *testing.T) {
	tab, err := ParseCSV(strings.NewReader("a,y\n1,2\n   \n3,4\n"), "f.csv", CSVColumns{})
	if err != nil || tab.Rows() != 2 || tab.Y[1] != 4 {
		t.Errorf("whitespace line: %+v %v", tab, err)
	}
	tab, err = ParseCSV(strings.NewReader("a,b,c\n1,2,3\n4,5,6\n"), "f.csv", CSVColumns{NoTarget: true, XCols: []string{"c", "a"}})
	if err != nil || tab.Rows() != 2 || len(tab.Y) != 0 || !slices.Equal(tab.X, []float64{3, 1, 6, 4}) {
		t.Errorf("no target: %+v %v", tab, err)
	}
	// The target in the first column keeps its name; a one-column file's
	// rows are read (a single field is blank only if it is empty).
	tab, err = ParseCSV(strings.NewReader("y,a\n2,1\n4,3\n"), "f.csv", CSVColumns{YCol: "y", XCols: []string{"a"}})
	if err != nil || tab.YName != "y" || !slices.Equal(tab.Y, []float64{2, 4}) || !slices.Equal(tab.X, []float64{1, 3}) {
		t.Errorf("target first: %+v %v", tab, err)
	}
	tab, err = ParseCSV(strings.NewReader("x\n1\n\n2\n"), "f.csv", CSVColumns{NoTarget: true, XCols: []string{"x"}})
	if err != nil || !slices.Equal(tab.X, []float64{1, 2}) {
		t.Errorf("one column: %+v %v", tab, err)
	}
	// In a file of one column, a quoted empty or blank cell is a row
	// (refused), not a blank line.
	for _, in := range []string{"x\n1\n\"\"\n2\n", "x\n1\n  \n2\n"} {
		_, err = ParseCSV(strings.NewReader(in), "f.csv", CSVColumns{NoTarget: true, XCols: []string{"x"}})
		if err == nil || !strings.HasPrefix(err.Error(), "f.csv:3:") || !strings.HasSuffix(err.Error(), `: column "x": empty cell`) {
			t.Errorf("one column, %q: %v, want the empty cell named", in, err)
		}
	}
	long := strings.Repeat("z", 40)
	for _, tc := range []struct {
		in   string
		cols CSVColumns
		want string
	}{
		{"a,b,y\n1,2,3\n", CSVColumns{XCols: []string{"a", "y"}}, `f.csv:1:5: column "y" is both an input (--x-cols) and the target`},
		{"a,y\n" + long + ",1\n", CSVColumns{}, `f.csv:2:1: column "a": "` + long + `" is not a number`},
		{"a,y\n" + long + "z,1\n", CSVColumns{}, `f.csv:2:1: column "a": "` + long + `..." is not a number`},
		{"a,b\n1,2\n", CSVColumns{NoTarget: true}, "f.csv:1: no input columns named"},
		{"a, ,y\n1,2,3\n", CSVColumns{}, "f.csv:1:4: empty column name in the header"},
	} {
		_, err := ParseCSV(strings.NewReader(tc.in), "f.csv", tc.cols)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.csv")
	if _, err := ReadCSV(missing, CSVColumns{}); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	broken := io.MultiReader(strings.NewReader("a,y\n1,2\n"), iotest.ErrReader(errors.New("disk gone")))
	if _, err := ParseCSV(broken, "f.csv", CSVColumns{}); err == nil || err.Error() != "f.csv: disk gone" {
		t.Errorf("failing reader: %v", err)
	}
}

// Only the columns a run uses must be named once; a name that is not
// UTF-8 is read as Latin-1; every value is at most MaxCSVValue in
// magnitude; each row keeps its line.
func TestParseCSVUsedColumns(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cols CSVColumns
		x, y []float64
		want string // an error, or "" for the values above
	}{
		{"a,y,\n1,2,\n3,4,\n", CSVColumns{XCols: []string{"a"}, YCol: "y"}, []float64{1, 3}, []float64{2, 4}, ""},
		{"a,y,\n1,2,\n", CSVColumns{}, nil, nil, "f.csv:1:5: empty column name in the header"},
		{"a,y,\n1,2,\n", CSVColumns{YCol: "y"}, nil, nil, "f.csv:1:5: empty column name in the header"},
		{",a,y\n,1,2\n", CSVColumns{XCols: []string{"a"}}, []float64{1}, []float64{2}, ""},
		{"n,a,n,y\nx,1,x,2\n", CSVColumns{XCols: []string{"a"}}, []float64{1}, []float64{2}, ""},
		{"n,a,n,y\nx,1,x,2\n", CSVColumns{XCols: []string{"n"}}, nil, nil, `f.csv:1:5: column "n" appears twice in the header`},
		{"a,y,y\n1,2,3\n", CSVColumns{XCols: []string{"a"}}, nil, nil, `f.csv:1:5: column "y" appears twice in the header`},
		{"a,y,y\n1,2,3\n", CSVColumns{XCols: []string{"a"}, YCol: "y"}, nil, nil, `f.csv:1:5: column "y" appears twice in the header`},
		{"a,b\n1,2\n", CSVColumns{XCols: []string{""}, YCol: "b"}, nil, nil, `f.csv:1: no column "" (--x-cols)`},
		{"y,a,y\n1,2,3\n", CSVColumns{XCols: []string{"a"}, YCol: "y"}, nil, nil, `f.csv:1:5: column "y" appears twice in the header`},
		{"a,y\n1e100,-1e100\n", CSVColumns{}, []float64{1e100}, []float64{-1e100}, ""},
		{"a,y\n1.0000000000000002e100,1\n", CSVColumns{}, nil, nil, `f.csv:2:1: column "a": 1.0000000000000002e100 is beyond ±1e+100, where standardising overflows: rescale the column`},
		{"a,y\n1,-1e200\n", CSVColumns{}, nil, nil, `f.csv:2:3: column "y": -1e200 is beyond ±1e+100`},
		{"a,y\n1,2\n1,1e308\n", CSVColumns{}, nil, nil, `f.csv:3:3: column "y": 1e308 is beyond`},
		{"d\xe9bit,y\n1,2\n", CSVColumns{XCols: []string{"débit"}}, []float64{1}, []float64{2}, ""},
	} {
		tab, err := ParseCSV(strings.NewReader(tc.in), "f.csv", tc.cols)
		if tc.want != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("%q %+v: error %v, want %q", tc.in, tc.cols, err, tc.want)
			}
			continue
		}
		if err != nil || !slices.Equal(tab.X, tc.x) || !slices.Equal(tab.Y, tc.y) {
			t.Errorf("%q %+v: %v %v, %v; want %v %v", tc.in, tc.cols, tab.X, tab.Y, err, tc.x, tc.y)
		}
	}
	tab, err := ParseCSV(strings.NewReader("a,y\n1,2\n\n   \n3,4\n5,6\n"), "f.csv", CSVColumns{})
	if err != nil || tab.Line(0) != 2 || tab.Line(1) != 5 || tab.Line(2) != 6 {
		t.Errorf("lines of the rows: %v, %v", tab.lines, err)
	}
}

func TestHeaderName(t *testing.T) {
	for in, want := range map[string]string{"x": "x", "débit": "débit", "d\xe9bit": "débit", "\xff\xfe": "ÿþ", "": "",
		"\xc3\xa9": "é", "é\xe9": "Ã©é"} {
		if got := headerName(in); got != want {
			t.Errorf("headerName(%q) = %q, want %q", in, got, want)
		}
	}
}

// ParseColumns trims the names and refuses an empty or repeated one.
func TestParseColumns(t *testing.T) {
	if cols, err := ParseColumns(" a,b , c d"); err != nil || !slices.Equal(cols, []string{"a", "b", "c d"}) {
		t.Errorf("got %q, %v", cols, err)
	}
	for s, want := range map[string]string{
		"a,,b":  "empty column name in the list",
		"":      "empty column name in the list",
		"a,b,a": `column "a" is listed twice (each input once)`,
	} {
		if _, err := ParseColumns(s); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", s, err, want)
		}
	}
}
