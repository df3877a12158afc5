package data

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

func TestMakeCurveSplitAndDeterminism(t *testing.T) {
	a, err := MakeCurve(CurveConfig{}, 7)
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
	b, _ := MakeCurve(CurveConfig{}, 7)
	if !slices.Equal(a.Val.Y, b.Val.Y) || !slices.Equal(a.Train.X, b.Train.X) {
		t.Error("same seed gave different data")
	}
	c, _ := MakeCurve(CurveConfig{}, 8)
	if slices.Equal(a.Val.X, c.Val.X) {
		t.Error("different seeds gave the same split")
	}
}

func TestCurveConfigErrors(t *testing.T) {
	for _, c := range []CurveConfig{{N: 2}, {XMin: 3, XMax: -3}, {Noise: -1}, {ValFraction: 1.5}, {N: 5, ValFraction: 0.1}} {
		if _, err := MakeCurve(c, 1); err == nil {
			t.Errorf("MakeCurve(%+v) gave no error", c)
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
		d, err := MakeCurve(CurveConfig{N: n, ValFraction: f}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if d.Train.Len() != 1 || d.Val.Len() != n-1 {
			t.Errorf("N %d, fraction %v: %d training, %d validation points, want 1 and %d", n, f, d.Train.Len(), d.Val.Len(), n-1)
		}
	}
}

// x is evenly spaced on [XMin, XMax] (a range with one end at 0 is kept,
// not taken for the zero value), and one held-out point is a valid split.
func TestMakeCurveSpacingAndSmallSplit(t *testing.T) {
	for _, c := range []CurveConfig{
		{N: 11, XMin: 0, XMax: 1, ValFraction: 0.1},
		{N: 11, XMin: -1, XMax: 0, ValFraction: 0.1},
	} {
		d, err := MakeCurve(c, 1)
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

// TrainRows is the training points MakeCurve makes, known without it.
func TestCurveTrainRows(t *testing.T) {
	for _, c := range []CurveConfig{{}, {N: 10}, {N: 11, ValFraction: 0.3}, {N: 1003, ValFraction: 0.5}} {
		d, err := MakeCurve(c, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.TrainRows(); got != d.Train.Len() {
			t.Errorf("%+v: TrainRows %d, MakeCurve's %d", c, got, d.Train.Len())
		}
	}
}
