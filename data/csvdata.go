package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// CSVData is a user's data set: a training file and either a validation
// file or a seeded share of the training rows held out.
type CSVData struct {
	Train, Val  string  // paths; Val "" : hold out ValFraction of Train
	ValFraction float64 // default 0.2
	Columns     CSVColumns
}

// Scaler standardises inputs and targets with the training rows' mean and
// standard deviation (a constant column keeps std 1). It is saved with a
// model, so predictions are made and reported in the data's own units.
type Scaler struct {
	XMean []float64 `json:"x_mean"`
	XStd  []float64 `json:"x_std"`
	YMean float64   `json:"y_mean"`
	YStd  float64   `json:"y_std"`
}

// FitScaler fits a Scaler to s.
func FitScaler(s Split) Scaler {
	in, n := max(1, s.Inputs), s.Len()
	sc := Scaler{XMean: make([]float64, in), XStd: make([]float64, in)}
	for j := range in {
		col := make([]float64, n)
		for i := range n {
			col[i] = s.X[i*in+j]
		}
		sc.XMean[j], sc.XStd[j] = meanStd(col)
	}
	sc.YMean, sc.YStd = meanStd(s.Y)
	return sc
}

func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	std = math.Sqrt(std / float64(len(v)))
	if !(std > 0) || math.IsInf(std, 0) {
		std = 1
	}
	return mean, std
}

// MaxStandardScore bounds how far, in its training column's standard
// deviations, a value the network sees may lie from the training mean: a
// training row lies within sqrt(rows) of it, and past 1e6 a validation or
// predict input is far outside anything the model learnt, while its
// products in the float32 graph would overflow soon after (an input of
// 1e308 gave NaN means beside a finite median).
const MaxStandardScore = 1e6

// Far returns the first value of s, by rows, that lies more than
// MaxStandardScore standard deviations from its training mean: its row,
// its column (an input's index, or -1 for the target) and its standard
// score; far is false if there is none.
func (sc Scaler) Far(s Split) (row, col int, z float64, far bool) {
	in := len(sc.XMean)
	for i := range s.Len() {
		for j := range in {
			if z := (s.X[i*in+j] - sc.XMean[j]) / sc.XStd[j]; !(math.Abs(z) <= MaxStandardScore) {
				return i, j, z, true
			}
		}
		if i < len(s.Y) {
			if z := (s.Y[i] - sc.YMean) / sc.YStd; !(math.Abs(z) <= MaxStandardScore) {
				return i, -1, z, true
			}
		}
	}
	return 0, 0, 0, false
}

// ScaleX standardises rows of inputs (a new slice).
func (sc Scaler) ScaleX(x []float64) []float64 {
	in := len(sc.XMean)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = (v - sc.XMean[i%in]) / sc.XStd[i%in]
	}
	return out
}

// Apply returns s standardised (new slices; YTrue as Y).
func (sc Scaler) Apply(s Split) Split {
	out := Split{X: sc.ScaleX(s.X), Y: make([]float64, len(s.Y)), Inputs: s.Inputs}
	for i, v := range s.Y {
		out.Y[i] = (v - sc.YMean) / sc.YStd
	}
	if s.YTrue != nil {
		out.YTrue = make([]float64, len(s.YTrue))
		for i, v := range s.YTrue {
			out.YTrue[i] = (v - sc.YMean) / sc.YStd
		}
	}
	return out
}

// UnscaleY maps standardised targets back to the data's units, in place.
func (sc Scaler) UnscaleY(v []float64) {
	for i := range v {
		v[i] = v[i]*sc.YStd + sc.YMean
	}
}

// Validate reports a scaler that cannot be used (from a damaged file).
func (sc Scaler) Validate(inputs int) error {
	if len(sc.XMean) != inputs || len(sc.XStd) != inputs {
		return fmt.Errorf("scaler: %d means and %d stds for %d inputs", len(sc.XMean), len(sc.XStd), inputs)
	}
	for _, v := range append(append([]float64{sc.YMean, sc.YStd}, sc.XMean...), sc.XStd...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("scaler: non-finite value %v", v)
		}
	}
	for _, s := range append([]float64{sc.YStd}, sc.XStd...) {
		if !(s > 0) {
			return fmt.Errorf("scaler: standard deviation %v", s)
		}
	}
	return nil
}

// LoadCSV reads c's files into train and validation splits in the data's
// own units, and the names of the inputs and target. With one input, each
// split is sorted by x (for the band figures). Errors name file:line:column.
func LoadCSV(c CSVData, seed uint64) (Set, Table, error) {
	frac := c.ValFraction
	if frac == 0 {
		frac = 0.2
	}
	tab, err := ReadCSV(c.Train, c.Columns)
	if err != nil {
		return Set{}, Table{}, err
	}
	in := len(tab.XNames)
	var d Set
	valFile, valLines, trainLines := c.Train, []int(nil), tab.lines
	if c.Val != "" {
		if tab.Rows() < MinCSVRows {
			return Set{}, Table{}, &CSVError{File: c.Train, What: fmt.Sprintf("%d data rows, need at least %d", tab.Rows(), MinCSVRows)}
		}
		vt, err := ReadCSV(c.Val, CSVColumns{XCols: tab.XNames, YCol: tab.YName})
		if err != nil {
			return Set{}, Table{}, err
		}
		d.Train = Split{X: tab.X, Y: tab.Y, Inputs: in}
		d.Val = Split{X: vt.X, Y: vt.Y, Inputs: in}
		valFile, valLines = c.Val, vt.lines
		tab.valSHA256 = vt.sha256
	} else {
		if !(frac > 0 && frac < 1) {
			return Set{}, Table{}, fmt.Errorf("validation fraction %v: need 0 < f < 1", frac)
		}
		n := tab.Rows()
		nVal := int(float64(n) * frac)
		if n-nVal < MinCSVRows || nVal < 1 {
			return Set{}, Table{}, &CSVError{File: c.Train, What: fmt.Sprintf("%d data rows leave %d for training and %d for validation (split %v); need at least %d and 1",
				n, n-nVal, nVal, frac, MinCSVRows)}
		}
		perm := rand.New(rand.NewPCG(seed, streamSplit)).Perm(n)
		isVal := make([]bool, n)
		for _, i := range perm[:nVal] {
			isVal[i] = true
		}
		d.Train.Inputs, d.Val.Inputs = in, in
		trainLines = nil
		for i := range n {
			s, lines := &d.Train, &trainLines
			if isVal[i] {
				s, lines = &d.Val, &valLines
			}
			*lines = append(*lines, tab.lines[i])
			s.X = append(s.X, tab.X[i*in:(i+1)*in]...)
			s.Y = append(s.Y, tab.Y[i])
		}
	}
	// Standardised with the training rows' scaler (as the caller will),
	// every value must stay near the training data (MaxStandardScore).
	sc := FitScaler(d.Train)
	for _, s := range []struct {
		file  string
		split Split
		lines []int
	}{{c.Train, d.Train, trainLines}, {valFile, d.Val, valLines}} {
		if row, col, z, far := sc.Far(s.split); far {
			name, v := tab.YName, 0.0
			if col >= 0 {
				name, v = tab.XNames[col], s.split.X[row*in+col]
			} else {
				v = s.split.Y[row]
			}
			return Set{}, Table{}, &CSVError{File: s.file, Line: s.lines[row], What: fmt.Sprintf(
				"column %q: %g lies %.3g standard deviations from the training rows' mean (at most %g: the model would only extrapolate, and its float32 sums overflow)",
				name, v, z, MaxStandardScore)}
		}
	}
	if in == 1 {
		sortByX(&d.Train)
		sortByX(&d.Val)
	}
	tab.X, tab.Y = nil, nil
	return d, tab, nil
}

func sortByX(s *Split) {
	idx := make([]int, s.Len())
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.X[idx[a]] < s.X[idx[b]] })
	x, y := slices.Clone(s.X), slices.Clone(s.Y)
	for i, j := range idx {
		s.X[i], s.Y[i] = x[j], y[j]
	}
}
