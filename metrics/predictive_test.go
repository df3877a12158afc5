package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestQuantileMatchesNumpy(t *testing.T) {
	// numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.5, 0.95]) = [1.2, 3.0, 8.8]
	xs := []float64{1, 2, 3, 4, 10}
	for _, c := range []struct{ q, want float64 }{{0.05, 1.2}, {0.5, 3}, {0.95, 8.8}, {0, 1}, {1, 10}} {
		if got := Quantile(xs, c.q); !(math.Abs(got-c.want) <= 1e-12) {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
}

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
	pit, logDensity, lo, hi := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	var sq float64
	mus, ss := []float64{mu, mu}, []float64{sigma, sigma}
	for i := 0; i < n; i++ {
		y := mu + sigma*r.NormFloat64()
		sq += (y - mu) * (y - mu)
		pit[i], logDensity[i] = MixturePIT(mus, ss, y), MixtureLogDensity(mus, ss, y)
	}
	sc := Score(pit, logDensity, lo, hi)
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

// SelectQuantile gives Quantile's values (numpy's linear interpolation).
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
				if got, want := SelectQuantile(w, q), Quantile(sorted, q); got != want {
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

// A PIT on the interval's edge is inside it (closed interval).
func TestCoverageEdges(t *testing.T) {
	if got := Coverage([]float64{0.25, 0.75, 0.5, 0.1, 0.9}, 0.5); got != 0.6 {
		t.Errorf("coverage at level 0.5 of PITs on the edges 0.25, 0.75, the centre and two outside: %v, want 0.6", got)
	}
}

// Score's total band width is the mean of totalHi - totalLo.
func TestScoreTotalBandWidth(t *testing.T) {
	if got := Score([]float64{0.5, 0.5, 0.5}, []float64{0, 0, 0}, []float64{-1, 0, 2}, []float64{1, 3, 3}).TotalBandWidth; got != 2 {
		t.Errorf("total band width %v, want (2 + 3 + 1) / 3 = 2", got)
	}
}
