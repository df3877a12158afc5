package nodes

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// closedFormKL is KL(N(mu, s²) || N(m0, s0²)) summed over elements.
func closedFormKL(mu, s []float64, p Normal) float64 {
	var kl float64
	for i := range mu {
		d := mu[i] - p.Mu
		kl += math.Log(p.Sigma/s[i]) + (s[i]*s[i]+d*d)/(2*p.Sigma*p.Sigma) - 0.5
	}
	return kl
}

// The KL node is a one-sample Monte-Carlo estimate; its mean over many
// epsilon draws must equal the closed form. With M draws the standard error
// is sd/√M; we accept |mean - closed| <= 4 standard errors (a false alarm
// has probability ~6e-5; the seed is fixed, so the test is deterministic)
// and, so that a biased estimator cannot hide behind a huge variance, the
// standard error must be below 2% of the closed form.
func TestKLEstimatorMeanIsClosedForm(t *testing.T) {
	for _, tc := range []struct {
		name    string
		muMean  float64
		rhoMean float64
		prior   Normal
		dtype   tensor.Dtype
	}{
		{"seed-init", 0, -2.5, Normal{0, 1}, tensor.Float64},
		{"wide", 0.8, 0.5, Normal{0, 1}, tensor.Float64},
		{"shifted-prior", -0.3, -1, Normal{0.5, 0.4}, tensor.Float64},
		{"float32", 0.2, -1.5, Normal{0, 1}, tensor.Float32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n, draws = 20, 4000
			g := G.NewGraph()
			mk := func(name string) *G.Node {
				return G.NewVector(g, tc.dtype, G.WithShape(n), G.WithName(name), G.WithValue(tensor.New(tensor.Of(tc.dtype), tensor.WithShape(n))))
			}
			mu, rho, eps := mk("mu"), mk("rho"), mk("eps")
			r := rand.New(rand.NewPCG(42, 1))
			muV, sV := make([]float64, n), make([]float64, n)
			for i := 0; i < n; i++ {
				muV[i] = tc.muMean + 0.3*r.NormFloat64()
				rhoI := tc.rhoMean + 0.3*r.NormFloat64()
				sV[i] = math.Log1p(math.Exp(rhoI))
				set(mu, i, muV[i])
				set(rho, i, rhoI)
			}
			sigma, err := Softplus(rho)
			if err != nil {
				t.Fatal(err)
			}
			w, err := Reparameterize(mu, sigma, eps)
			if err != nil {
				t.Fatal(err)
			}
			kl, err := KL(w, mu, sigma, tc.prior)
			if err != nil {
				t.Fatal(err)
			}
			var v G.Value
			G.Read(kl, &v)
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			var sum, sumSq float64
			for d := 0; d < draws; d++ {
				for i := 0; i < n; i++ {
					set(eps, i, r.NormFloat64())
				}
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				x := scalarOf(v)
				sum += x
				sumSq += x * x
				vm.Reset()
			}
			mean := sum / draws
			sd := math.Sqrt(sumSq/draws - mean*mean)
			se := sd / math.Sqrt(draws)
			want := closedFormKL(muV, sV, tc.prior)
			t.Logf("MC mean %.4f ± %.4f (se), closed form %.4f", mean, se, want)
			if !(math.Abs(mean-want) <= 4*se) {
				t.Errorf("MC mean %v differs from closed form %v by %.1f standard errors", mean, want, math.Abs(mean-want)/se)
			}
			if se > 0.02*math.Abs(want) {
				t.Errorf("standard error %v too large to test against %v", se, want)
			}
		})
	}
}

func set(n *G.Node, i int, v float64) {
	switch d := n.Value().Data().(type) {
	case []float32:
		d[i] = float32(v)
	case []float64:
		d[i] = v
	}
}

func scalarOf(v G.Value) float64 {
	switch d := v.Data().(type) {
	case float32:
		return float64(d)
	case float64:
		return d
	}
	panic("not a scalar")
}
