package data

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CSVColumns picks a CSV file's columns by header name: XCols the inputs
// (nil: every column but the last, or but YCol), YCol the target (""
// the last column).
type CSVColumns struct {
	XCols    []string
	YCol     string
	NoTarget bool // read XCols only (bbb predict); Y stays empty
}

// ParseColumns reads a comma-separated list of column names (CSVColumns
// .XCols), spaces around each dropped; an empty name, or one listed twice
// (each input once), is an error.
func ParseColumns(s string) ([]string, error) {
	var cols []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c == "" {
			return nil, errors.New("empty column name in the list")
		}
		if slices.Contains(cols, c) {
			return nil, fmt.Errorf("column %q is listed twice (each input once)", c)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// Table is what ReadCSV keeps of a file: the chosen columns as numbers.
type Table struct {
	XNames []string
	YName  string
	X      []float64 // row-major Rows × len(XNames)
	Y      []float64 // empty with NoTarget
	rows   int
	lines  []int // each data row's line in the file
	// sha256 is the SHA-256 (hex) of the bytes ReadCSV parsed (empty from
	// ParseCSV): the file as read, even if it changes on disk meanwhile;
	// valSHA256 is LoadCSV's validation file's.
	sha256, valSHA256 string
}

// Rows is the number of data rows.
func (t Table) Rows() int { return t.rows }

// Line is the file's line of data row i (0-based), for errors.
func (t Table) Line(i int) int { return t.lines[i] }

// MaxCSVValue bounds the magnitude of every value ReadCSV accepts: the
// sums of a column's values and of its squared deviations stay finite in
// float64 for any number of rows a machine can hold ((2e100)² · 1e100 rows
// is 4e300), as do predictions mapped back to such units. Beyond it, a
// column of values near 1e200 would be standardised with an infinite
// standard deviation and train to NaN.
const MaxCSVValue = 1e100

// headerName reads a header name that is not valid UTF-8 as ISO 8859-1
// (Latin-1: what older spreadsheets write), byte by byte, so that it is
// the same UTF-8 name in every file and in a model's JSON meta, which
// would replace the bytes with U+FFFD: predict then finds the column a
// model was trained on in the same file.
func headerName(h string) string {
	if utf8.ValidString(h) {
		return h
	}
	r := make([]rune, len(h))
	for i := range len(h) {
		r[i] = rune(h[i])
	}
	return string(r)
}

// CSVError is a problem at a place in a CSV file: "file:line:column: what".
type CSVError struct {
	File         string
	Line, Column int // 1-based; 0 where it does not apply
	What         string
}

func (e *CSVError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.What)
	}
	if e.Column == 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.What)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.What)
}

// MinCSVRows is the fewest data rows a training file may have.
const MinCSVRows = 10

// ReadCSV reads path: a header row, then one row per example. Every
// chosen cell must be a finite number of magnitude at most MaxCSVValue;
// other columns are not parsed, and their header names may be empty or
// repeated. It
// reads the file as a stream, keeping only the chosen columns.
func ReadCSV(path string, cols CSVColumns) (Table, error) {
	h := sha256.New()
	f, err := openCSV(path, h) // bounded and interruptible (csvopen.go)
	if err != nil {
		return Table{}, &CSVError{File: path, What: err.Error()}
	}
	defer f.Close()
	t, err := ParseCSV(f, path, cols)
	if err != nil {
		return t, err
	}
	if _, err := io.Copy(io.Discard, f); err != nil { // (the parser stops at EOF: nothing is left but to be sure)
		return Table{}, &CSVError{File: path, What: err.Error()}
	}
	t.sha256 = hex.EncodeToString(h.Sum(nil))
	return t, nil
}

// ParseCSV is ReadCSV from a reader; name is the file name for errors.
func ParseCSV(r io.Reader, name string, cols CSVColumns) (Table, error) {
	br := bufio.NewReader(r)
	if isUTF16(br) {
		return Table{}, &CSVError{File: name, Line: 1, What: "UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8 (a spreadsheet's \"CSV UTF-8\")"}
	}
	cr := csv.NewReader(macLines(skipBOM(br)))
	cr.FieldsPerRecord = -1 // ragged rows are reported below, with their line
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	fail := func(line, col int, format string, a ...any) (Table, error) {
		return Table{}, &CSVError{File: name, Line: line, Column: col, What: fmt.Sprintf(format, a...)}
	}
	header, err := cr.Read()
	if err == io.EOF {
		return fail(0, 0, "empty file (want a header row, then data rows)")
	}
	if err != nil {
		return csvReadError(name, err)
	}
	header = append([]string(nil), header...)
	// A header cell's column in errors is its byte column, as a value's
	// (csv.Reader.FieldPos), not its field number.
	headerCol := make([]int, len(header))
	for i := range header {
		_, headerCol[i] = cr.FieldPos(i)
	}
	at := map[string][]int{} // each name's columns, 0-based
	for i, h := range header {
		h = strings.TrimSpace(headerName(h))
		header[i] = h
		at[h] = append(at[h], i)
	}
	// Only the columns the run uses must be named, once: Excel's trailing
	// comma (an empty last name) or a repeated name elsewhere is no error.
	use := func(i int) error {
		if header[i] == "" {
			_, err := fail(1, headerCol[i], "empty column name in the header")
			return err
		}
		if cs := at[header[i]]; len(cs) > 1 {
			_, err := fail(1, headerCol[cs[1]], "column %q appears twice in the header", header[i])
			return err
		}
		return nil
	}
	index := func(name string) (int, bool) {
		cs, ok := at[name]
		if !ok || name == "" {
			return 0, false
		}
		return cs[0], true
	}
	if len(header) < 2 && !cols.NoTarget {
		return fail(1, 0, "the header has %d column, want at least 2 (inputs and a target)", len(header))
	}
	yi := len(header) - 1
	if cols.NoTarget {
		yi = -1
		if len(cols.XCols) == 0 {
			return fail(1, 0, "no input columns named")
		}
	} else if cols.YCol != "" {
		i, ok := index(cols.YCol)
		if !ok {
			return fail(1, 0, "no column %q (--y-col) in the header %s", cols.YCol, headerList(header))
		}
		yi = i
	}
	if yi >= 0 {
		if err := use(yi); err != nil {
			return Table{}, err
		}
	}
	var xi []int
	if len(cols.XCols) == 0 {
		for i := range header {
			if i != yi {
				xi = append(xi, i)
			}
		}
	} else {
		for _, c := range cols.XCols {
			i, ok := index(c)
			if !ok {
				what := "--x-cols"
				if cols.NoTarget {
					what = "an input of the model"
				}
				return fail(1, 0, "no column %q (%s) in the header %s", c, what, headerList(header))
			}
			if i == yi {
				return fail(1, headerCol[i], "column %q is both an input (--x-cols) and the target", c)
			}
			xi = append(xi, i)
		}
	}
	for _, i := range xi {
		if err := use(i); err != nil {
			return Table{}, err
		}
	}
	t := Table{}
	if yi >= 0 {
		t.YName = header[yi]
	}
	for _, i := range xi {
		t.XNames = append(t.XNames, header[i])
	}
	num := func(rec []string, field, line int) (float64, error) {
		_, col := cr.FieldPos(field)
		s := strings.TrimSpace(rec[field])
		v, err := strconv.ParseFloat(s, 64)
		if errors.Is(err, strconv.ErrRange) {
			err = nil // (±Inf: beyond MaxCSVValue, said below)
		}
		if err == nil && strings.ContainsAny(s, "_xX") { // Go's digit separators and hex floats: no CSV tool reads "2_0" as 20
			err = strconv.ErrSyntax
		}
		if err != nil && s == "" {
			_, err = fail(line, col, "column %q: empty cell", header[field])
			return 0, err
		}
		if err != nil {
			_, err = fail(line, col, "column %q: %q is not a number", header[field], clip(s))
			return 0, err
		}
		if math.IsNaN(v) || math.IsInf(v, 0) && !strings.ContainsAny(s, "0123456789") {
			_, err = fail(line, col, "column %q: %s (want a finite number)", header[field], s)
			return 0, err
		}
		if math.Abs(v) > MaxCSVValue {
			_, err = fail(line, col, "column %q: %s is beyond ±%g, where standardising overflows: rescale the column", header[field], clip(s), MaxCSVValue)
			return 0, err
		}
		return v, nil
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvReadError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && len(header) > 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line (in a file of one column, an empty cell)
		}
		if len(rec) != len(header) {
			return fail(line, 1, "ragged row: %d fields, the header has %d", len(rec), len(header))
		}
		for _, i := range xi {
			v, err := num(rec, i, line)
			if err != nil {
				return Table{}, err
			}
			t.X = append(t.X, v)
		}
		t.rows++
		t.lines = append(t.lines, line)
		if yi < 0 {
			continue
		}
		v, err := num(rec, yi, line)
		if err != nil {
			return Table{}, err
		}
		t.Y = append(t.Y, v)
	}
	if t.rows == 0 {
		return fail(0, 0, "no data rows after the header")
	}
	return t, nil
}

// headerList names a header's columns for an error: each quoted (a name
// may hold a comma or a newline, and the error must stay one line), the
// first maxListed only, since a wide file (MNIST has 785 columns) would
// otherwise fill the terminal.
func headerList(header []string) string {
	const maxListed = 8
	var b strings.Builder
	for i, h := range header[:min(len(header), maxListed)] {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(strconv.Quote(clip(h)))
	}
	if len(header) > maxListed {
		fmt.Fprintf(&b, ",... (%d columns)", len(header))
	}
	return b.String()
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func csvReadError(name string, err error) (Table, error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Table{}, &CSVError{File: name, Line: pe.Line, Column: pe.Column, What: pe.Err.Error()}
	}
	return Table{}, &CSVError{File: name, What: err.Error()}
}

// skipBOM is r without a leading UTF-8 byte order mark (spreadsheets
// write one: Excel's "CSV UTF-8", pandas' utf-8-sig): skipped before the
// CSV reader sees it, so that a quoted first name ("x","y") reads.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	return br
}

// isUTF16 reports a reader that starts with a UTF-16 byte order mark (a
// spreadsheet's "Unicode text"), which the CSV reader would take as
// bytes, each character followed or preceded by a zero.
func isUTF16(br *bufio.Reader) bool {
	b, _ := br.Peek(2)
	return len(b) == 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF)
}

// macLines reads a file whose lines end in a lone carriage return (classic
// Mac OS, some spreadsheets' "CSV (Macintosh)"), which the CSV reader
// would take as one line, with newlines instead: one whose first 64 KiB
// hold a carriage return and no newline. Other files are read as they are.
func macLines(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	if bytes.IndexByte(head, '\n') >= 0 || bytes.IndexByte(head, '\r') < 0 {
		return br
	}
	return crToLF{br}
}

type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
