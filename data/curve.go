package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Streams of the seeded PCG source (seed, stream) that data draws from:
// train numbers its own streams after these two, so both keep their values.
const (
	streamNoise uint64 = iota + 1 // the curve's noise
	streamSplit                   // the rows held out for validation
)

// CurveConfig describes the seed's synthetic regression data. Its zero value
// is the seed's: 20000 points evenly spaced on [-3, 3], noise N(0, 1.5²),
// 20% held out for validation.
type CurveConfig struct {
	N           int     // points (default 20000)
	XMin, XMax  float64 // range (default -3, 3)
	Noise       float64 // standard deviation of the noise (default 1.5)
	ValFraction float64 // share held out (default 0.2)
}

// WithDefaults fills zero fields with the seed's values.
func (c CurveConfig) WithDefaults() CurveConfig {
	if c.N == 0 {
		c.N = 20000
	}
	if c.XMin == 0 && c.XMax == 0 {
		c.XMin, c.XMax = -3, 3
	}
	if c.Noise == 0 {
		c.Noise = 1.5
	}
	if c.ValFraction == 0 {
		c.ValFraction = 0.2
	}
	return c
}

// Validate reports a config that cannot make a train and a validation set.
func (c CurveConfig) Validate() error {
	if c.N < 4 {
		return fmt.Errorf("train: data points %d: need at least 4", c.N)
	}
	if !(c.XMax > c.XMin) || math.IsInf(c.XMax-c.XMin, 0) {
		return fmt.Errorf("train: x range [%v, %v]: need finite xmin < xmax", c.XMin, c.XMax)
	}
	if !(c.Noise >= 0) || math.IsInf(c.Noise, 0) {
		return fmt.Errorf("train: noise %v: need a finite value >= 0", c.Noise)
	}
	if !(c.ValFraction > 0 && c.ValFraction < 1) {
		return fmt.Errorf("train: validation fraction %v: need 0 < f < 1", c.ValFraction)
	}
	// nVal < N whatever f < 1 is: the product of N (exact below 2^53)
	// and f <= 1-2^-53 rounds below N, so only an empty validation set
	// is possible.
	nVal := c.N - c.TrainRows()
	if nVal < 1 {
		return fmt.Errorf("train: %d points with validation fraction %v leave an empty set", c.N, c.ValFraction)
	}
	return nil
}

// Curve is the seed's noiseless function, f(x) = 0.2x³ - 2x^(2+1) + 8x
// (= -1.8x³ + 8x; the seed writes the cube twice).
func Curve(x float64) float64 { return 0.2*x*x*x - 2*math.Pow(x, 2+1) + 8*x }

// Split is one side of the data (the seed's: sorted by x).
type Split struct {
	X, Y, YTrue []float64 // inputs (row-major Len × Inputs), targets, noiseless curve (nil if unknown)
	Inputs      int       // features per row (0: 1)
}

// Len is the number of points.
func (s Split) Len() int { return len(s.X) / max(1, s.Inputs) }

// Set is a data set split into training and validation rows.
type Set struct {
	Train, Val Split
}

// TrainRows is the training points of the curve c makes (its defaults
// filled in): N less the validation fraction's, known without making it.
func (c CurveConfig) TrainRows() int {
	c = c.WithDefaults()
	return c.N - int(float64(c.N)*c.ValFraction)
}

// MakeCurve draws the seed's data from seed: evenly spaced x, f(x) plus
// Normal noise, then a random ValFraction of the indices held out.
func MakeCurve(cfg CurveConfig, seed uint64) (Set, error) {
	c := cfg.WithDefaults()
	if err := c.Validate(); err != nil {
		return Set{}, err
	}
	noise := rand.New(rand.NewPCG(seed, streamNoise))
	x := make([]float64, c.N)
	y := make([]float64, c.N)
	yTrue := make([]float64, c.N)
	step := (c.XMax - c.XMin) / float64(c.N-1)
	for i := range x {
		x[i] = c.XMin + float64(i)*step
		yTrue[i] = Curve(x[i])
		y[i] = yTrue[i] + c.Noise*noise.NormFloat64()
	}
	x[c.N-1] = c.XMax

	nVal := c.N - c.TrainRows()
	perm := rand.New(rand.NewPCG(seed, streamSplit)).Perm(c.N)
	isVal := make([]bool, c.N)
	valIdx := perm[:nVal]
	slices.Sort(valIdx)
	for _, i := range valIdx {
		isVal[i] = true
	}
	var d Set
	for i := range x {
		s := &d.Train
		if isVal[i] {
			s = &d.Val
		}
		s.X = append(s.X, x[i])
		s.Y = append(s.Y, y[i])
		s.YTrue = append(s.YTrue, yTrue[i])
	}
	return d, nil
}
