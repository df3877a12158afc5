package train

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
)

// The host trainer and the resident trainer agree step by step with the
// learned likelihood (noise_rho updated by the resident graph's Adam, on
// the device in the CUDA build) and the heteroscedastic one: the loss and
// every parameter, noise_rho's included, after each of 6 steps, and the
// validation loss; the resident run's predictive noise is the host's, and
// it predicts.
func TestResidentTrainerLikelihoods(t *testing.T) {
	for _, lik := range []graph.Likelihood{graph.LikLearned{}, graph.LikHetero{}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			cfg := Config{Graph: graph.Config{Dtype: dt, Likelihood: lik, Layers: 3, Hidden: 10}, Data: data.CurveConfig{N: 400},
				Epochs: 6, ReportEvery: 1, Samples: 20, Seed: 5, LearningRate: 0.01}
			tol := residentTol
			if dt == tensor.Float32 {
				tol = 2e-4 // float32 sums in another order, through 6 Adam steps
			}
			d, err := data.MakeCurve(cfg.Data, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			host, err := NewTrainer(cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			defer host.Close()
			cfg.Graph.Resident = true
			res, err := NewTrainer(cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			if len(res.Net.Learnables()) != len(host.Net.Learnables()) {
				t.Fatalf("%v %v: %d learnables, host %d", lik, dt, len(res.Net.Learnables()), len(host.Net.Learnables()))
			}
			for step := 1; step <= cfg.Epochs; step++ {
				lh, err := host.Step()
				if err != nil {
					t.Fatal(err)
				}
				lr, err := res.Step()
				if err != nil {
					t.Fatal(err)
				}
				if !(math.Abs(lr-lh) <= tol*math.Abs(lh)) {
					t.Fatalf("%v %v step %d: loss resident %v, host %v", lik, dt, step, lr, lh)
				}
				for i, p := range host.Net.Learnables() {
					want, _ := graph.Values(p)
					got, _ := graph.Values(res.Net.Learnables()[i])
					for j := range want {
						if !(math.Abs(got[j]-want[j]) <= tol*(1+math.Abs(want[j]))) {
							t.Fatalf("%v %v step %d: %s[%d]: resident %v, host %v", lik, dt, step, p.Name(), j, got[j], want[j])
						}
					}
				}
			}
			vh, err := host.Val.Loss(host.Net)
			if err != nil {
				t.Fatal(err)
			}
			vr, err := res.Val.Loss(res.Net)
			if err != nil {
				t.Fatal(err)
			}
			if !(math.Abs(vr-vh) <= tol*math.Abs(vh)) {
				t.Errorf("%v %v: validation loss resident %v, host %v", lik, dt, vr, vh)
			}
			zh, err := host.Net.Noise()
			if err != nil {
				t.Fatal(err)
			}
			zr, err := res.Net.Noise()
			if err != nil {
				t.Fatal(err)
			}
			if zr.Width() != zh.Width() || !(math.Abs(zr.Sigma-zh.Sigma) <= tol*zh.Sigma) {
				t.Errorf("%v %v: noise resident %+v, host %+v", lik, dt, zr, zh)
			}
			// With every weight's sigma near 0 the K passes at once of the
			// resident network (graph.NewPredictive) are the host's passes:
			// the same bands, the noise band (from each pass's scale
			// column with LikHetero) included.
			for _, n := range []*graph.Network{host.Net, res.Net} {
				for _, p := range n.Learnables() {
					if strings.Contains(p.Name(), "_rho") {
						v, _ := graph.Values(p)
						for j := range v {
							v[j] = -40
						}
						if err := graph.SetValues(p, v); err != nil {
							t.Fatal(err)
						}
					}
				}
				n.Reload()
			}
			bh, err := Predict(host.Net, d.Val.X[:30], 40, 1, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			// Several runs of K passes (the last one partial), each written
			// at its place in the trace.
			old := predictBatchElements
			predictBatchElements = 7 * 30 * cfg.Graph.Hidden // K = 7 of 40 passes: 6 runs
			bc, err := Predict(res.Net, d.Val.X[:30], 40, 1, cfg.Seed)
			predictBatchElements = old
			if err != nil {
				t.Fatal(err)
			}
			for i := range bh.Mean {
				for _, v := range [][2]float64{{bc.Mean[i], bh.Mean[i]}, {bc.Q05[i], bh.Q05[i]}, {bc.TotalQ05[i], bh.TotalQ05[i]}, {bc.TotalQ95[i], bh.TotalQ95[i]}} {
					if !(math.Abs(v[0]-v[1]) <= 1e-5*(1+math.Abs(v[1]))) {
						t.Fatalf("%v %v: input %d: sigma 0: band resident %+v, host %+v", lik, dt, i, v[0], v[1])
					}
				}
			}
			// The resident network predicts (its K passes at once,
			// graph.NewPredictive, then the likelihood's noise): ordered,
			// finite bands.
			b, err := Predict(res.Net, d.Val.X[:30], 40, 1, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			for i := range b.Mean {
				if !(b.Q05[i] <= b.Mean[i] && b.Mean[i] <= b.Q95[i] && b.TotalQ05[i] < b.TotalQ95[i] && !math.IsInf(b.TotalQ95[i]-b.TotalQ05[i], 0)) {
					t.Fatalf("%v %v: input %d: bands %v %v %v, total %v %v", lik, dt, i, b.Q05[i], b.Mean[i], b.Q95[i], b.TotalQ05[i], b.TotalQ95[i])
				}
			}
		}
	}
}
