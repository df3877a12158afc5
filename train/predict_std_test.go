package train

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// With Sampler.Quantiles set, Bands.Std is the sample standard deviation
// of the passes and Q the requested quantiles. With 2 or 3 passes the
// passes themselves follow from the 5 % and 95 % quantiles (numpy's
// linear interpolation) and the median, so the standard deviation and the
// mean are checked exactly against values recovered that way.
func TestBandsStdAndQuantiles(t *testing.T) {
	forEachKind(t, func(t *testing.T, dt tensor.Dtype, resident bool) {
		cfg := tinyConfig(dt, resident)
		cfg.Epochs = 5
		tr, d, _ := trainedReports(t, cfg, nil)
		x := d.Val.X[:20]
		for _, k := range []int{2, 3} {
			sm := NewSampler(tr.Net, 1)
			sm.Quantiles = []float64{0.5}
			b, err := sm.Bands(x, k, 4)
			sm.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Std) != len(x) || len(b.Q) != 1 || len(b.Levels) != 1 {
				t.Fatalf("%d passes: Std %d, Q %d, Levels %v", k, len(b.Std), len(b.Q), b.Levels)
			}
			for i := range x {
				var vs []float64
				if k == 2 {
					gap := (b.Q95[i] - b.Q05[i]) / 0.9
					vs = []float64{b.Q05[i] - 0.05*gap, b.Q05[i] + 0.95*gap}
				} else {
					v2 := b.Q[0][i]
					vs = []float64{(b.Q05[i] - 0.1*v2) / 0.9, v2, (b.Q95[i] - 0.1*v2) / 0.9}
				}
				var mean, ss float64
				for _, v := range vs {
					mean += v / float64(k)
				}
				for _, v := range vs {
					ss += (v - mean) * (v - mean)
				}
				std := math.Sqrt(ss / float64(k-1))
				if !(std > 0) {
					t.Fatalf("%d passes, input %d: the passes agree (std %v): the test cannot tell", k, i, std)
				}
				if !(math.Abs(b.Mean[i]-mean) <= 1e-9*(1+math.Abs(mean))) {
					t.Errorf("%d passes, input %d: mean %v, the recovered passes give %v", k, i, b.Mean[i], mean)
				}
				if !(math.Abs(b.Std[i]-std) <= 1e-9*std) {
					t.Errorf("%d passes, input %d: std %v, the recovered passes %v give %v", k, i, b.Std[i], vs, std)
				}
				if k == 2 && !(math.Abs(b.Q[0][i]-mean) <= 1e-9*(1+math.Abs(mean))) {
					t.Errorf("2 passes, input %d: median %v, want their mean %v", i, b.Q[0][i], mean)
				}
			}
		}
	})
}
