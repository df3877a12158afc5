package data

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The split is seeded: the same seed the same split, another seed another;
// one input is sorted by x.
func TestLoadCSVSplit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d.csv")
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for i := range 100 {
		fmt.Fprintf(&sb, "%d,%d\n", (i*37)%100, i)
	}
	os.WriteFile(p, []byte(sb.String()), 0o644)
	load := func(seed uint64) Set {
		d, _, err := LoadCSV(CSVData{Train: p}, seed)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b, c := load(1), load(1), load(2)
	if a.Val.Len() != 20 || a.Train.Len() != 80 || !slices.Equal(a.Val.Y, b.Val.Y) || slices.Equal(a.Val.Y, c.Val.Y) {
		t.Errorf("split: %v / %v / %v", a.Val.Y, b.Val.Y, c.Val.Y)
	}
	if !slices.IsSorted(a.Train.X) || !slices.IsSorted(a.Val.X) {
		t.Error("one-input splits not sorted by x")
	}
}

// Apply standardises the noiseless targets too; Validate names each kind
// of damage (one list too short, a NaN, a zero scale).
func TestScalerApplyAndValidate(t *testing.T) {
	sc := Scaler{XMean: []float64{1}, XStd: []float64{2}, YMean: 3, YStd: 4}
	z := sc.Apply(Split{X: []float64{5}, Y: []float64{11}, YTrue: []float64{7, -1}, Inputs: 1})
	if !slices.Equal(z.X, []float64{2}) || !slices.Equal(z.Y, []float64{2}) || !slices.Equal(z.YTrue, []float64{1, -1}) {
		t.Errorf("Apply: %+v", z)
	}
	if z := sc.Apply(Split{X: []float64{5}, Y: []float64{11}, Inputs: 1}); z.YTrue != nil {
		t.Errorf("Apply made YTrue %v from none", z.YTrue)
	}
	for _, tc := range []struct {
		sc   Scaler
		want string
	}{
		{Scaler{XMean: []float64{0}, XStd: []float64{1, 1}, YStd: 1}, "1 means and 2 stds for 1 inputs"},
		{Scaler{XMean: []float64{0, 0}, XStd: []float64{1}, YStd: 1}, "2 means and 1 stds for 1 inputs"},
		{Scaler{XMean: []float64{math.NaN()}, XStd: []float64{1}, YStd: 1}, "non-finite value NaN"},
		{Scaler{XMean: []float64{0}, XStd: []float64{1}, YMean: math.Inf(1), YStd: 1}, "non-finite value +Inf"},
		{Scaler{XMean: []float64{0}, XStd: []float64{1}, YStd: 0}, "standard deviation 0"},
	} {
		if err := tc.sc.Validate(1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.sc, err, tc.want)
		}
	}
}

// LoadCSV's own refusals: a validation share outside (0, 1), a training
// file too short beside --val, a validation file that does not read.
func TestLoadCSVErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows int) string {
		var sb strings.Builder
		sb.WriteString("x,y\n")
		for i := range rows {
			fmt.Fprintf(&sb, "%d,%d\n", i, 2*i)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big, short, val := write("big.csv", 50), write("short.csv", MinCSVRows-1), write("val.csv", 5)
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("x,y\n1,oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    CSVData
		want string
	}{
		{CSVData{Train: big, ValFraction: 1}, "validation fraction 1: need 0 < f < 1"},
		{CSVData{Train: big, ValFraction: 1.5}, "validation fraction 1.5"},
		{CSVData{Train: big, ValFraction: -0.5}, "validation fraction -0.5"},
		{CSVData{Train: short, Val: val}, fmt.Sprintf("%d data rows, need at least %d", MinCSVRows-1, MinCSVRows)},
		{CSVData{Train: big, Val: bad}, `bad.csv:2:3: column "y": "oops" is not a number`},
	} {
		if _, _, err := LoadCSV(tc.c, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadCSV(%+v): %v, want %q", tc.c, err, tc.want)
		}
	}
	if d, _, err := LoadCSV(CSVData{Train: big, Val: val}, 1); err != nil || d.Train.Len() != 50 || d.Val.Len() != 5 {
		t.Errorf("with --val: %v", err)
	}
	if _, _, err := LoadCSV(CSVData{Train: write("least.csv", MinCSVRows), Val: val}, 1); err != nil {
		t.Errorf("%d training rows with --val: %v", MinCSVRows, err)
	}
}

// The held-out split leaves at least MinCSVRows for training and one row
// for validation, at the boundaries; rows of several inputs stay whole;
// one input is sorted by x, ties in file order.
func TestLoadCSVSplitSizes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, header string, rows int, row func(i int) string) string {
		var sb strings.Builder
		sb.WriteString(header + "\n")
		for i := range rows {
			sb.WriteString(row(i) + "\n")
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := func(i int) string { return fmt.Sprintf("%d,%d", i, i) }
	for _, tc := range []struct {
		rows       int
		frac       float64
		train, val int // 0, 0: refused
	}{
		{12, 0.2, 10, 2}, // 10 left: the least
		{11, 0.2, 0, 0},  // 9 left
		{11, 0.1, 10, 1}, // one to validate: the least
		{10, 0.05, 0, 0}, // none to validate
	} {
		p := write(fmt.Sprintf("n%d.csv", tc.rows), "x,y", tc.rows, line)
		d, _, err := LoadCSV(CSVData{Train: p, ValFraction: tc.frac}, 3)
		if tc.train == 0 {
			if err == nil || !strings.Contains(err.Error(), "need at least 10 and 1") {
				t.Errorf("%d rows, share %v: %v, want a refusal", tc.rows, tc.frac, err)
			}
			continue
		}
		if err != nil || d.Train.Len() != tc.train || d.Val.Len() != tc.val {
			t.Errorf("%d rows, share %v: %d + %d rows, %v; want %d + %d", tc.rows, tc.frac, d.Train.Len(), d.Val.Len(), err, tc.train, tc.val)
		}
	}
	two := write("two.csv", "a,b,y", 40, func(i int) string { return fmt.Sprintf("%d,%d,%d", i, 100+i, 1000+i) })
	d, _, err := LoadCSV(CSVData{Train: two}, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Split{d.Train, d.Val} {
		for i := range s.Len() {
			if a, b, y := s.X[2*i], s.X[2*i+1], s.Y[i]; b != a+100 || y != a+1000 {
				t.Fatalf("row %d split apart: a %v, b %v, y %v", i, a, b, y)
			}
		}
	}
	ties := write("ties.csv", "x,y", 12, func(i int) string { return fmt.Sprintf("%d,%d", (i%3)*(1-i%2), i) })
	d, _, err = LoadCSV(CSVData{Train: ties, Val: ties}, 1)
	if err != nil {
		t.Fatal(err)
	}
	// x = 0 at rows 0, 1, 3, 5, 6, 7, 9, 11; 2 at rows 2, 8; 1 at row 4, 10.
	if want := []float64{0, 1, 3, 5, 6, 7, 9, 11, 4, 10, 2, 8}; !slices.Equal(d.Train.Y, want) {
		t.Errorf("sorted by x: y %v, want %v", d.Train.Y, want)
	}
}

// Far finds the first value past MaxStandardScore standard deviations,
// by rows: the bound itself is near, NaN is far, the target is column -1.
func TestScalerFar(t *testing.T) {
	sc := Scaler{XMean: []float64{10, 0}, XStd: []float64{2, 1}, YMean: 5, YStd: 0.5}
	just := MaxStandardScore
	past := math.Nextafter(MaxStandardScore, math.Inf(1))
	for _, tc := range []struct {
		name     string
		s        Split
		row, col int
		z        float64
		far      bool
	}{
		{"at the bound", Split{X: []float64{10 + 2*just, -just, 10, 0}, Y: []float64{5 + 0.5*just, 5 - 0.5*just}, Inputs: 2}, 0, 0, 0, false},
		{"input past", Split{X: []float64{10, 0, 10, past}, Y: []float64{5, 5}, Inputs: 2}, 1, 1, past, true},
		{"input below", Split{X: []float64{10, 0, 10 - 2*2*just, 0}, Y: []float64{5, 5}, Inputs: 2}, 1, 0, -2 * just, true},
		{"target past", Split{X: []float64{10, 0, 10, 0}, Y: []float64{5, 5 - past}, Inputs: 2}, 1, -1, -2 * past, true},
		{"row before column", Split{X: []float64{10, 0, 10, 1e300}, Y: []float64{1e300, 5}, Inputs: 2}, 0, -1, (1e300 - 5) / 0.5, true},
		{"NaN", Split{X: []float64{math.NaN(), 0}, Inputs: 2}, 0, 0, math.NaN(), true},
		{"no targets", Split{X: []float64{10, 0, 12, 1}, Inputs: 2}, 0, 0, 0, false},
	} {
		row, col, z, far := sc.Far(tc.s)
		if row != tc.row || col != tc.col || far != tc.far || !(z == tc.z || math.IsNaN(z) && math.IsNaN(tc.z)) {
			t.Errorf("%s: Far = %d, %d, %v, %v; want %d, %d, %v, %v", tc.name, row, col, z, far, tc.row, tc.col, tc.z, tc.far)
		}
	}
}

// LoadCSV refuses a validation value far from the training rows, naming
// the file and line it came from: the held-out rows' from --data, --val's
// from --val; an input by its name, the target by its own.
func TestLoadCSVFarValue(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var rows strings.Builder
	rows.WriteString("a,y\n")
	for i := range 30 {
		fmt.Fprintf(&rows, "%d,%d\n", i%2, i%3)
	}
	train := write("train.csv", rows.String())
	farX := write("farx.csv", "a,y\n0,1\n\n1,1\n1e90,2\n")
	farY := write("fary.csv", "a,y\n0,1\n1,-1e90\n")
	near := write("near.csv", "a,y\n0,1\n1,1e5\n")
	var rows2 strings.Builder
	rows2.WriteString("a,b,y\n")
	for i := range 30 {
		fmt.Fprintf(&rows2, "%d,%d,%d\n", i%2, i%5, i%3)
	}
	train2 := write("train2.csv", rows2.String())
	farB := write("farb.csv", "a,b,y\n0,0,1\n1,1,1\n0,-1e90,1\n")
	for _, tc := range []struct {
		c    CSVData
		want string
	}{
		{CSVData{Train: train, Val: farX}, farX + `:5: column "a": 1e+90 lies 2e+90 standard deviations from the training rows' mean (at most 1e+06`},
		{CSVData{Train: train2, Val: farB}, farB + `:4: column "b": -1e+90 lies`},
		{CSVData{Train: train, Val: farY}, farY + `:3: column "y": -1e+90 lies -1.22e+90 standard deviations`},
	} {
		if _, _, err := LoadCSV(tc.c, 1); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.c.Val, err, tc.want)
		}
	}
	if _, _, err := LoadCSV(CSVData{Train: train, Val: near}, 1); err != nil {
		t.Errorf("a value 1e5 standard deviations out: %v", err)
	}
	// Held out of --data, the far row is a validation row: its line in
	// --data is named. (In the training rows it is an outlier that
	// widens the scaler: no error.)
	withFar := write("withfar.csv", rows.String()+"0,1e90\n")
	refused := 0
	for seed := uint64(1); seed < 30; seed++ {
		d, _, err := LoadCSV(CSVData{Train: withFar}, seed)
		if err == nil {
			if !slices.Contains(d.Train.Y, 1e90) {
				t.Errorf("seed %d: the far row held out, and no error", seed)
			}
			continue
		}
		refused++
		if want := withFar + `:32: column "y": 1e+90 lies`; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("seed %d: %v, want %q", seed, err, want)
		}
	}
	if refused == 0 {
		t.Error("no seed held the far row out")
	}
}
