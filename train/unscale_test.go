package train

import (
	"math"
	"slices"
	"testing"

	"github.com/bbb-go/bbb/data"
)

// Bands.Unscale takes a model's standardised bands back to the data's
// units with the data's scaler.
func TestScalerRoundTrip(t *testing.T) {
	s := data.Split{X: []float64{1, 10, 2, 10, 3, 10}, Y: []float64{5, 7, 9}, Inputs: 2}
	sc := data.FitScaler(s)
	if sc.XMean[0] != 2 || sc.XStd[1] != 1 || sc.YMean != 7 {
		t.Fatalf("%+v", sc)
	}
	z := sc.Apply(s)
	if math.Abs(z.X[0]+math.Sqrt(1.5)) > 1e-12 || z.X[1] != 0 {
		t.Errorf("scaled x %v", z.X)
	}
	b := Bands{Mean: slices.Clone(z.Y), Q05: slices.Clone(z.Y), Q95: slices.Clone(z.Y)}
	b.Unscale(sc)
	for i := range b.Mean {
		if !(math.Abs(b.Mean[i]-s.Y[i]) <= 1e-12) {
			t.Errorf("unscaled %v, want %v", b.Mean, s.Y)
		}
	}
	// Every band field goes back to the data's units: values as y, the
	// spread by YStd, the log density of y = YMean + YStd·z by -log YStd.
	sc.YStd = 2 // (FitScaler's is 1.633: a round value makes the checks exact)
	full := Bands{Mean: []float64{1}, Q05: []float64{-1}, Q95: []float64{2}, TotalQ05: []float64{-3}, TotalQ95: []float64{4},
		LogDensity: []float64{-0.5}, Std: []float64{0.25}, Q: [][]float64{{0.5}, {-2}}}
	full.Unscale(sc)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Mean", full.Mean[0], 9}, {"Q05", full.Q05[0], 5}, {"Q95", full.Q95[0], 11},
		{"TotalQ05", full.TotalQ05[0], 1}, {"TotalQ95", full.TotalQ95[0], 15},
		{"LogDensity", full.LogDensity[0], -0.5 - math.Log(2)}, {"Std", full.Std[0], 0.5},
		{"Q[0]", full.Q[0][0], 8}, {"Q[1]", full.Q[1][0], 3},
	} {
		if !(math.Abs(c.got-c.want) <= 1e-12) {
			t.Errorf("unscaled %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if err := sc.Validate(2); err != nil {
		t.Error(err)
	}
	if err := (data.Scaler{XMean: []float64{0}, XStd: []float64{0}, YStd: 1}).Validate(1); err == nil {
		t.Error("zero std accepted")
	}
}
