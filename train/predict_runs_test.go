package train

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
)

// The batched (resident) sampler splits the samples into runs of K passes
// when one run of all of them would hold more than predictBatchElements
// activations. With the bound lowered to two passes of 7 inputs × 6 hidden
// units, 5 samples go as runs of K = 2, 2 and 1 (the last run's second
// pass dropped), and the bands are those of the passes computed here by
// hand from the documented plan: run r at step r of the stream
// (seed, streamPredict), pass s = r·K + j.
func TestPredictBatchedRuns(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		cfg := tinyConfig(dt, true)
		tr, d, _ := trainedReports(t, cfg, nil)
		x := d.Val.X[:7]
		const samples, k, seed = 5, 2, 3
		old := predictBatchElements
		predictBatchElements = k * len(x) * cfg.Graph.Hidden
		sm := NewSampler(tr.Net, 1)
		b, err := sm.Bands(x, samples, seed)
		predictBatchElements = old
		if err != nil {
			t.Fatal(err)
		}
		if sm.pred == nil || sm.pred.net.Samples != k || sm.pred.net.Rows != len(x) {
			t.Fatalf("%v: predictive graph %+v, want K = %d, %d rows", dt, sm.pred, k, len(x))
		}
		sm.Close()

		net, err := graph.NewPredictive(tr.Net.Config, len(x), k)
		if err != nil {
			t.Fatal(err)
		}
		if err := net.CopyParams(tr.Net); err != nil {
			t.Fatal(err)
		}
		net.Store.Seed = philoxSeed(seed, streamPredict)
		if err := graph.SetValues(net.X, x); err != nil {
			t.Fatal(err)
		}
		net.ReloadInputs()
		var out G.Value
		G.Read(readable(net.Output), &out)
		vm := G.NewTapeMachine(net.Graph)
		passes := make([][]float64, len(x)) // per input
		for r := 0; r*k < samples; r++ {
			if err := net.SetStep(uint64(r)); err != nil {
				t.Fatal(err)
			}
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			var v []float64
			switch o := out.Data().(type) {
			case []float32:
				for _, f := range o {
					v = append(v, float64(f))
				}
			case []float64:
				for _, f := range o {
					v = append(v, float64(float32(f))) // the sampler keeps float32 passes
				}
			}
			for j := 0; j < k && r*k+j < samples; j++ {
				for i := range x {
					passes[i] = append(passes[i], v[j*len(x)+i])
				}
			}
			vm.Reset()
		}
		vm.Close()
		spread := false
		for i, p := range passes {
			if len(p) != samples {
				t.Fatalf("reference: %d passes", len(p))
			}
			var sum float64
			for _, v := range p {
				sum += v
			}
			slices.Sort(p)
			want := []float64{sum / samples, metrics.Quantile(p, 0.05), metrics.Quantile(p, 0.95)}
			got := []float64{b.Mean[i], b.Q05[i], b.Q95[i]}
			for j := range want {
				if !(math.Abs(got[j]-want[j]) <= 1e-6*(1+math.Abs(want[j]))) {
					t.Errorf("%v: input %d: mean/Q05/Q95 %v, the passes by hand give %v", dt, i, got, want)
					break
				}
			}
			if p[samples-1]-p[0] > 1e-3 {
				spread = true
			}
		}
		if !spread {
			t.Errorf("%v: the passes do not differ: the test cannot tell them apart", dt)
		}
	}
}
