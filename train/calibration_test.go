package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// Against distuv: the mixture of identical components is that Normal; a
// two-component mixture's density and CDF are the weighted sums.
func TestMixtureScoresMatchDistuv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 20; k++ {
		mu, s, y := r.NormFloat64(), 0.2+r.Float64(), 3*r.NormFloat64()
		n := distuv.Normal{Mu: mu, Sigma: s}
		mus, ss := []float64{mu, mu, mu}, []float64{s, s, s}
		if got, want := MixtureLogDensity(mus, ss, y), n.LogProb(y); !(math.Abs(got-want) <= 1e-12*(1+math.Abs(want))) {
			t.Errorf("log density %v, want %v", got, want)
		}
		if got, want := MixturePIT(mus, ss, y), n.CDF(y); !(math.Abs(got-want) <= 1e-12) {
			t.Errorf("PIT %v, want %v", got, want)
		}
		a, b := distuv.Normal{Mu: mu + 1, Sigma: 0.3}, distuv.Normal{Mu: mu - 2, Sigma: 1.1}
		two := func(f func(distuv.Normal) float64) float64 { return (f(a) + f(b)) / 2 }
		if got, want := MixtureLogDensity([]float64{a.Mu, b.Mu}, []float64{a.Sigma, b.Sigma}, y), math.Log(two(func(d distuv.Normal) float64 { return d.Prob(y) })); math.Abs(got-want) > 1e-10*(1+math.Abs(want)) {
			t.Errorf("two-component log density %v, want %v", got, want)
		}
		if got, want := MixturePIT([]float64{a.Mu, b.Mu}, []float64{a.Sigma, b.Sigma}, y), two(func(d distuv.Normal) float64 { return d.CDF(y) }); math.Abs(got-want) > 1e-12 {
			t.Errorf("two-component PIT %v, want %v", got, want)
		}
	}
	// Far in the tail the log-sum-exp stays finite.
	if v := MixtureLogDensity([]float64{0, 1}, []float64{1e-3, 1e-3}, 100); math.IsInf(v, 0) || math.IsNaN(v) {
		t.Errorf("tail log density %v: want finite", v)
	}
}

// A predictive of known Normals: NLPD = ½log(2πσ²) + mean((y−μ)²)/(2σ²),
// and each central interval's coverage is its level within 3 binomial
// standard errors.
func TestScoresOfKnownNormal(t *testing.T) {
	const n, mu, sigma = 4000, 0.5, 1.5
	r := rand.New(rand.NewPCG(7, 7))
	b := Bands{PIT: make([]float64, n), LogDensity: make([]float64, n), TotalQ05: make([]float64, n), TotalQ95: make([]float64, n)}
	var sq float64
	mus, ss := []float64{mu, mu}, []float64{sigma, sigma}
	for i := 0; i < n; i++ {
		y := mu + sigma*r.NormFloat64()
		sq += (y - mu) * (y - mu)
		b.PIT[i], b.LogDensity[i] = MixturePIT(mus, ss, y), MixtureLogDensity(mus, ss, y)
	}
	sc := Score(b)
	want := 0.5*math.Log(2*math.Pi*sigma*sigma) + sq/n/(2*sigma*sigma)
	if !(math.Abs(sc.NLPD-want) <= 1e-9) {
		t.Errorf("NLPD %v, want %v", sc.NLPD, want)
	}
	for k, l := range CalibrationLevels {
		se := math.Sqrt(l * (1 - l) / n)
		if !(math.Abs(sc.Calibration[k]-l) <= 3*se) {
			t.Errorf("coverage at %v: %v, more than 3 standard errors (%v) off", l, sc.Calibration[k], se)
		}
	}
	if sc.Coverage90 != sc.Calibration[8] || math.Abs(sc.Coverage95-0.95) > 3*math.Sqrt(0.95*0.05/n) {
		t.Errorf("coverage90 %v, coverage95 %v", sc.Coverage90, sc.Coverage95)
	}
}

// Through the sampler: the total band holds the epistemic one, is wider by
// about the noise, agrees with the PIT's coverage, and does not depend on
// workers; a fixed likelihood's scale is its sigma.
func TestSamplerTotalBand(t *testing.T) {
	for _, lik := range []graph.Likelihood{graph.LikFixed, graph.LikLearned, graph.LikHetero} {
		t.Run(lik.String(), func(t *testing.T) {
			cfg := smallConfig(tensor.Float32)
			cfg.Graph.Likelihood, cfg.Graph.LikelihoodSigma = lik, 0.8
			cfg.Epochs = 100
			tr, d := trained(t, cfg)
			sm := NewSampler(tr.Net, 2)
			defer sm.Close()
			b, err := sm.Score(d.Val.X, d.Val.Y, 200, 4)
			if err != nil {
				t.Fatal(err)
			}
			var inBand, wider float64
			for i := range b.Mean {
				if d.Val.Y[i] >= b.TotalQ05[i] && d.Val.Y[i] <= b.TotalQ95[i] {
					inBand++
				}
				if b.TotalQ95[i]-b.TotalQ05[i] > b.Q95[i]-b.Q05[i] {
					wider++
				}
			}
			n := float64(len(b.Mean))
			sc := Score(b)
			if !(math.Abs(inBand/n-sc.Coverage90) <= 0.03) {
				t.Errorf("total band covers %v, the PIT says %v", inBand/n, sc.Coverage90)
			}
			if wider/n < 0.99 {
				t.Errorf("total band wider than the epistemic one at only %v of inputs", wider/n)
			}
			if math.IsNaN(sc.NLPD) || math.IsInf(sc.NLPD, 0) {
				t.Errorf("NLPD %v", sc.NLPD)
			}
			sm1 := NewSampler(tr.Net, 1)
			defer sm1.Close()
			b1, err := sm1.Score(d.Val.X, d.Val.Y, 200, 4)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(b.TotalQ95, b1.TotalQ95) || !slices.Equal(b.PIT, b1.PIT) {
				t.Error("total band or PIT depends on workers")
			}
			z, _ := tr.Net.Noise()
			if lik == graph.LikFixed && z.Sigma != 0.8 {
				t.Errorf("fixed noise sigma %v, want 0.8", z.Sigma)
			}
		})
	}
}

// selectQuantile gives Quantile's values (numpy's linear interpolation).
func TestSelectQuantileMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{1, 2, 3, 10, 999, 1000} {
		for rep := 0; rep < 20; rep++ {
			v := make([]float64, n)
			for i := range v {
				v[i] = math.Round(r.NormFloat64() * 4) // ties too
			}
			sorted := slices.Sorted(slices.Values(v))
			for _, q := range []float64{0, 0.05, 0.25, 0.5, 0.95, 1} {
				w := slices.Clone(v)
				if got, want := selectQuantile(w, q), Quantile(sorted, q); got != want {
					t.Fatalf("n %d q %v: select %v, sort %v", n, q, got, want)
				}
			}
		}
	}
	// Mixed scales: the scratch form agrees with the allocating one's
	// definition against distuv above; here against a direct sum.
	mu, sg := []float64{0, 1, -2}, []float64{0.5, 1, 2}
	var p float64
	for s := range mu {
		z := (0.7 - mu[s]) / sg[s]
		p += math.Exp(-0.5*z*z) / (sg[s] * math.Sqrt(2*math.Pi)) / 3
	}
	if got := MixtureLogDensity(mu, sg, 0.7); !(math.Abs(got-math.Log(p)) <= 1e-12) {
		t.Errorf("mixed-scale log density %v, want %v", got, math.Log(p))
	}
}

// BenchmarkScore1000Val: Sampler.Score over the 4000 validation inputs
// (the bands plus the total band, PIT and log density), beside
// BenchmarkPredict1000Val2Workers (the bands alone).
func BenchmarkScore1000Val(b *testing.B) {
	tr, d := benchTrainer(b, graph.Config{})
	sm := NewSampler(tr.Net, 2)
	defer sm.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := sm.Score(d.Val.X, d.Val.Y, 1000, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// load reads input i's (mean, raw scale) pair of every pass from the
// trace (passes × inputs × width, row-major), for both noise widths.
func TestTotalScratchLoad(t *testing.T) {
	const samples, n = 3, 4
	for _, z := range []graph.Noise{{Kind: graph.LikFixed, Sigma: 0.5}, {Kind: graph.LikHetero, Hetero: nodes.HeteroScale{Min: 0.1}}} {
		wd := z.Width()
		trace := make([]float32, samples*n*wd)
		for s := 0; s < samples; s++ {
			for i := 0; i < n; i++ {
				row := trace[(s*n+i)*wd:]
				row[0] = float32(10*s + i) // the mean names its pass and input
				if wd == 2 {
					row[1] = float32(-s - i)
				}
			}
		}
		ts := newTotalScratch(samples, 1)
		for i := 0; i < n; i++ {
			ts.load(trace, samples, n, i, z)
			for s := 0; s < samples; s++ {
				wantSigma := 0.5
				if wd == 2 {
					wantSigma = 0.1 + nodes.SoftplusAt(float64(-s-i))
				}
				if ts.mu[s] != float64(10*s+i) || math.Abs(ts.sigma[s]-wantSigma) > 1e-6 {
					t.Fatalf("%v: input %d pass %d: mu %v, sigma %v; want %v, %v", z.Kind, i, s, ts.mu[s], ts.sigma[s], 10*s+i, wantSigma)
				}
			}
		}
	}
}

// A PIT on the interval's edge is inside it (closed interval).
func TestCoverageEdges(t *testing.T) {
	if got := Coverage([]float64{0.25, 0.75, 0.5, 0.1, 0.9}, 0.5); got != 0.6 {
		t.Errorf("coverage at level 0.5 of PITs on the edges 0.25, 0.75, the centre and two outside: %v, want 0.6", got)
	}
}

// Score's total band width is the mean of TotalQ95 - TotalQ05.
func TestScoreTotalBandWidth(t *testing.T) {
	b := Bands{PIT: []float64{0.5, 0.5, 0.5}, LogDensity: []float64{0, 0, 0},
		TotalQ05: []float64{-1, 0, 2}, TotalQ95: []float64{1, 3, 3}}
	if got := Score(b).TotalBandWidth; got != 2 {
		t.Errorf("total band width %v, want (2 + 3 + 1) / 3 = 2", got)
	}
}

// summarise reads each pass's mean at its row of a width-2 trace, and an
// input's total band depends on its index in the whole set (lo0 + i), not
// on the chunk or the worker that summarises it.
func TestSummariseRowsAndNoiseStreams(t *testing.T) {
	const samples, n, wd = 4, 8, 2
	z := graph.Noise{Kind: graph.LikHetero, Hetero: nodes.HeteroScale{Min: 0.1}}
	r := rand.New(rand.NewPCG(9, 9))
	trace := make([]float32, samples*n*wd)
	for i := range trace {
		trace[i] = float32(r.NormFloat64())
	}
	bands := func(n int) Bands {
		return Bands{Mean: make([]float64, n), Q05: make([]float64, n), Q95: make([]float64, n), TotalQ05: make([]float64, n), TotalQ95: make([]float64, n)}
	}
	all := bands(n)
	summarise(trace, samples, n, 3, all, nil, z, 0, 5)
	for i := range n {
		var sum float64
		for s := range samples {
			sum += float64(trace[(s*n+i)*wd])
		}
		if want := sum / samples; math.Abs(all.Mean[i]-want) > 1e-12 {
			t.Fatalf("input %d: mean %v, want %v", i, all.Mean[i], want)
		}
	}
	// Inputs 5..7 summarised as a chunk of their own, starting at 5.
	part := make([]float32, samples*3*wd)
	for s := range samples {
		copy(part[s*3*wd:(s+1)*3*wd], trace[(s*n+5)*wd:(s*n+8)*wd])
	}
	tail := bands(3)
	summarise(part, samples, 3, 1, tail, nil, z, 5, 5)
	if !slices.Equal(tail.Mean, all.Mean[5:]) || !slices.Equal(tail.TotalQ05, all.TotalQ05[5:]) || !slices.Equal(tail.TotalQ95, all.TotalQ95[5:]) {
		t.Errorf("inputs 5..7 as a chunk: total band %v..%v, in the whole set %v..%v", tail.TotalQ05, tail.TotalQ95, all.TotalQ05[5:], all.TotalQ95[5:])
	}
}
