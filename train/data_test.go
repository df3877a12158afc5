package train

import (
	"math"
	"slices"
	"testing"
)

func TestCurveIsTheSeeds(t *testing.T) {
	// f(x) = 0.2x³ - 2x³ + 8x: f(1) = 6.2, f(2) = 1.6, f(-3) = 24.6.
	for _, c := range []struct{ x, want float64 }{{0, 0}, {1, 6.2}, {2, 1.6}, {-3, 24.6}} {
		if got := Curve(c.x); !(math.Abs(got-c.want) <= 1e-12) {
			t.Errorf("Curve(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

func TestMakeDataSplitAndDeterminism(t *testing.T) {
	a, err := MakeData(DataConfig{}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if a.Train.Len() != 16000 || a.Val.Len() != 4000 {
		t.Fatalf("split %d/%d, want 16000/4000", a.Train.Len(), a.Val.Len())
	}
	for _, s := range []Split{a.Train, a.Val} {
		if !slices.IsSorted(s.X) {
			t.Error("split not sorted by x")
		}
	}
	if a.Train.X[0] != -3 && a.Val.X[0] != -3 {
		t.Error("x does not start at -3")
	}
	// noise: mean ~0, sd ~1.5 over 20000 draws (se of sd ≈ 1.5/√40000 ≈ 0.0075)
	var sum, sumSq float64
	n := 0
	for _, s := range []Split{a.Train, a.Val} {
		for i := range s.X {
			r := s.Y[i] - s.YTrue[i]
			sum += r
			sumSq += r * r
			n++
		}
	}
	mean := sum / float64(n)
	sd := math.Sqrt(sumSq/float64(n) - mean*mean)
	if math.Abs(mean) > 4*1.5/math.Sqrt(float64(n)) || math.Abs(sd-1.5) > 0.03 {
		t.Errorf("noise mean %v sd %v, want 0 and 1.5", mean, sd)
	}
	b, _ := MakeData(DataConfig{}, 7)
	if !slices.Equal(a.Val.Y, b.Val.Y) || !slices.Equal(a.Train.X, b.Train.X) {
		t.Error("same seed gave different data")
	}
	c, _ := MakeData(DataConfig{}, 8)
	if slices.Equal(a.Val.X, c.Val.X) {
		t.Error("different seeds gave the same split")
	}
}

func TestDataConfigErrors(t *testing.T) {
	for _, c := range []DataConfig{{N: 2}, {XMin: 3, XMax: -3}, {Noise: -1}, {ValFraction: 1.5}, {N: 5, ValFraction: 0.1}} {
		if _, err := MakeData(c, 1); err == nil {
			t.Errorf("MakeData(%+v) gave no error", c)
		}
	}
}

// The largest validation fraction below 1 still leaves a training point
// (Validate has no check for a full validation set: none is possible).
func TestValidationFractionNearOneLeavesTraining(t *testing.T) {
	f := math.Nextafter(1, 0)
	for _, n := range []int{4, 5, 7, 64, 1000, 1 << 20, 1<<53 - 1, 1 << 53, 1<<62 + 12345} {
		if nVal := int(float64(n) * f); nVal >= n {
			t.Errorf("N %d, fraction %v: %d validation points", n, f, nVal)
		}
	}
	for _, n := range []int{4, 5, 9, 100} {
		d, err := MakeData(DataConfig{N: n, ValFraction: f}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if d.Train.Len() != 1 || d.Val.Len() != n-1 {
			t.Errorf("N %d, fraction %v: %d training, %d validation points, want 1 and %d", n, f, d.Train.Len(), d.Val.Len(), n-1)
		}
	}
}

func TestQuantileMatchesNumpy(t *testing.T) {
	// numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.5, 0.95]) = [1.2, 3.0, 8.8]
	xs := []float64{1, 2, 3, 4, 10}
	for _, c := range []struct{ q, want float64 }{{0.05, 1.2}, {0.5, 3}, {0.95, 8.8}, {0, 1}, {1, 10}} {
		if got := Quantile(xs, c.q); !(math.Abs(got-c.want) <= 1e-12) {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
}

// The resident epsilon keys are splitmix64 outputs (known answers computed
// with Python integers; (0, 1) is splitmix64's well-known first output from
// state 0): a changed key changes every resident run of a seed.
func TestPhiloxSeedKnownAnswers(t *testing.T) {
	for _, c := range []struct{ seed, stream, want uint64 }{
		{0, 1, 0xE220A8397B1DCDAF},
		{1, 4, 0x71C18690EE42C90B},
		{7, 5, 0x73D33B666A1E21DA},
		{123456789, 6, 0xB34F7324F11D12DE},
		{18446744073709551615, 3, 0x382FF84CB27281E9},
	} {
		if got := philoxSeed(c.seed, c.stream); got != c.want {
			t.Errorf("philoxSeed(%d, %d) = %#x, want %#x", c.seed, c.stream, got, c.want)
		}
	}
}

// x is evenly spaced on [XMin, XMax] (a range with one end at 0 is kept,
// not taken for the zero value), and one held-out point is a valid split.
func TestMakeDataSpacingAndSmallSplit(t *testing.T) {
	for _, c := range []DataConfig{
		{N: 11, XMin: 0, XMax: 1, ValFraction: 0.1},
		{N: 11, XMin: -1, XMax: 0, ValFraction: 0.1},
	} {
		d, err := MakeData(c, 1)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if d.Val.Len() != 1 || d.Train.Len() != 10 {
			t.Errorf("%+v: split %d/%d, want 10/1", c, d.Train.Len(), d.Val.Len())
		}
		xs := append(append([]float64(nil), d.Train.X...), d.Val.X...)
		slices.Sort(xs)
		for i, x := range xs {
			if want := c.XMin + float64(i)/10; !(math.Abs(x-want) <= 1e-15) {
				t.Errorf("%+v: x[%d] = %v, want %v", c, i, x, want)
			}
		}
	}
}
