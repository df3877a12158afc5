package nodes

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The resident KL op, KLTerm, with the scale-mixture prior (the Normal's
// is checked against the host graph in resident_graph_test.go): its value
// against the mixture density written out here (the two Gaussian pdfs
// added, no log-sum-exp), its gradients against finite differences, at a
// spike as narrow as the paper's (sigma2 = e^-6) and narrower.

// mixtureLogPdf is log(pi N(w; 0, s1²) + (1 - pi) N(w; 0, s2²)), the pdfs
// added directly: exact where neither underflows.
func mixtureLogPdf(p ScaleMixture, w float64) float64 {
	pdf := func(s float64) float64 { return math.Exp(-w*w/(2*s*s)) / (s * math.Sqrt(2*math.Pi)) }
	return math.Log(p.Pi*pdf(p.Sigma1) + (1-p.Pi)*pdf(p.Sigma2))
}

// klTermValue is KLTerm's value for mu, rho, eps at dtype dt.
func klTermValue(t *testing.T, dt tensor.Dtype, prior Prior, mu, rho, eps []float64) float64 {
	t.Helper()
	g := G.NewGraph()
	n := len(mu)
	mk := func(name string, v []float64) *G.Node {
		return dtInput(g, name, dt, v, n)
	}
	kl, err := KLTerm(mk("mu", mu), mk("rho", rho), mk("eps", eps), prior)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, g, kl)[0]
}

func TestKLTermMixtureValue(t *testing.T) {
	for _, p := range []ScaleMixture{
		{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)}, // the paper's
		{Pi: 0.25, Sigma1: 1.5, Sigma2: math.Exp(-8)},
		{Pi: 0.7, Sigma1: 0.4, Sigma2: 0.1},
	} {
		const n = 40
		mu := seq(n, func(i int) float64 { return 0.004 * float64(i-n/2) })
		rho := seq(n, func(i int) float64 { return -7 + 0.1*float64(i%9) })
		eps := seq(n, normals(31, 0, 1))
		want := 0.0
		for i := range mu {
			s := math.Log1p(math.Exp(rho[i]))
			w := mu[i] + s*eps[i]
			logq := -math.Log(s) - eps[i]*eps[i]/2 - math.Log(2*math.Pi)/2
			want += logq - mixtureLogPdf(p, w)
		}
		if got := klTermValue(t, tensor.Float64, p, mu, rho, eps); !(math.Abs(got-want) <= 1e-11*math.Abs(want)) {
			t.Errorf("%v float64: KLTerm %.15g, want %.15g", p, got, want)
		}
		// float32 inputs, float64 arithmetic: the inputs' rounding only.
		r := func(v []float64) []float64 {
			out := make([]float64, len(v))
			for i, x := range v {
				out[i] = float64(float32(x))
			}
			return out
		}
		want32 := klTermValue(t, tensor.Float64, p, r(mu), r(rho), r(eps))
		if got := klTermValue(t, tensor.Float32, p, mu, rho, eps); !(math.Abs(got-want32) <= 1e-6*math.Abs(want32)) {
			t.Errorf("%v float32: KLTerm %.9g, want %.9g", p, got, want32)
		}
	}
}

// Where both pdfs underflow (a weight far in the tails of two narrow
// components) the sum of pdfs is log 0; KLTerm stays finite: -log p(w) is
// the wider component's quadratic term, the other's exp(a2 - a1) being 0.
func TestKLTermMixtureStable(t *testing.T) {
	p := ScaleMixture{Pi: 0.5, Sigma1: 0.01, Sigma2: math.Exp(-8)}
	mu, rho, eps := []float64{1, -2}, []float64{-3, -4}, []float64{0.5, -1.5}
	want := 0.0
	for i := range mu {
		s := math.Log1p(math.Exp(rho[i]))
		w := mu[i] + s*eps[i]
		if !math.IsInf(mixtureLogPdf(p, w), -1) {
			t.Fatalf("w %v: the pdfs do not underflow", w)
		}
		logp := math.Log(p.Pi) - math.Log(p.Sigma1) - math.Log(2*math.Pi)/2 - w*w/(2*p.Sigma1*p.Sigma1)
		want += -math.Log(s) - eps[i]*eps[i]/2 - math.Log(2*math.Pi)/2 - logp
	}
	if got := klTermValue(t, tensor.Float64, p, mu, rho, eps); !(math.Abs(got-want) <= 1e-12*math.Abs(want)) {
		t.Errorf("KLTerm %v, want %v", got, want)
	}
}

// d (c · KLTerm) / d mu and d rho, c = -1.7 (an upstream gradient other
// than 1), against central differences, for both priors; the weights lie
// where both mixture components carry weight.
func TestGradientKLTerm(t *testing.T) {
	for _, prior := range []Prior{
		ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)},
		ScaleMixture{Pi: 0.3, Sigma1: 0.8, Sigma2: 0.05},
		Normal{Mu: 0.1, Sigma: 0.6},
	} {
		g := G.NewGraph()
		shape := []int{4, 5}
		mu := input(g, "mu", shape, normals(41, 0, 0.01))
		rho := input(g, "rho", shape, normals(42, -6, 0.5))
		eps := input(g, "eps", shape, normals(43, 0, 1))
		kl, err := KLTerm(mu, rho, eps, prior)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := G.Mul(kl, G.NewConstant(-1.7))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(prior.String(), func(t *testing.T) { checkGradient(t, g, cost, G.Nodes{mu, rho}, gradTol) })
	}
}

// Another prior, an invalid one, or none is an error naming it.
func TestKLTermPriorErrors(t *testing.T) {
	g := G.NewGraph()
	a := input(g, "a", []int{3}, func(int) float64 { return 1 })
	for _, tc := range []struct {
		prior Prior
		want  string
	}{
		{ScaleMixture{Pi: 1, Sigma1: 1, Sigma2: 1}, "ScaleMixture{Pi: 1"},
		{Normal{Sigma: -1}, "Normal"},
		{nil, "nodes: KLTerm: prior <nil>: want a Normal or a ScaleMixture"},
		{otherPrior{Normal{Sigma: 1}}, "nodes: KLTerm: prior normal:0,1: want a Normal or a ScaleMixture"},
	} {
		if _, err := KLTerm(a, a, a, tc.prior); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("prior %v: error %v, want %q", tc.prior, err, tc.want)
		}
	}
}

// otherPrior is a Prior that is neither a Normal nor a ScaleMixture.
type otherPrior struct{ Normal }

// The op's name carries the prior, and every CUDA kernel its prior names
// (klKernels: _partial, _dmu, _drho) is defined in nodes/kernels/bbb.cu for
// both dtypes, taking the parameters klKernels gives.
func TestKLTermKernels(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("kernels", "bbb.cu"))
	if err != nil {
		t.Fatal(err)
	}
	mix := ScaleMixture{Pi: 0.25, Sigma1: 2, Sigma2: 0.5}
	for _, tc := range []struct {
		prior  Prior
		name   string
		kernel string
		params []float64
	}{
		{Normal{Mu: 0.1, Sigma: 0.8}, "KLTerm(prior N(0.1, 0.8²))", "bbb_kl", []float64{0.1, 0.8}},
		{mix, "KLTerm(prior mixture:0.25,2,0.5)", "bbb_klmix",
			[]float64{math.Log(0.25) - math.Log(2) - halfLog2Pi, math.Log(0.75) - math.Log(0.5) - halfLog2Pi, 0.25, 4}},
	} {
		g := G.NewGraph()
		a := input(g, "a", []int{3}, func(int) float64 { return 1 })
		kl, err := KLTerm(a, a, a, tc.prior)
		if err != nil {
			t.Fatal(err)
		}
		if got := kl.Op().(*klTermOp).name; got != tc.name {
			t.Errorf("op name %q, want %q", got, tc.name)
		}
		p, _ := klPriorOf(tc.prior)
		kernel, params := p.klKernels()
		if kernel != tc.kernel || len(params) != len(tc.params) {
			t.Fatalf("%v: kernels %s %v, want %s %v", tc.prior, kernel, params, tc.kernel, tc.params)
		}
		for i := range params {
			if !(math.Abs(params[i]-tc.params[i]) <= 1e-15*math.Abs(tc.params[i])) {
				t.Errorf("%v: parameter %d %v, want %v", tc.prior, i, params[i], tc.params[i])
			}
		}
		for _, k := range []string{"_partial", "_dmu", "_drho"} {
			if !strings.Contains(string(src), `extern "C" __global__ void `+kernel+k+"_##S(") {
				t.Errorf("bbb.cu defines no %s%s_##S", kernel, k)
			}
		}
	}
}
