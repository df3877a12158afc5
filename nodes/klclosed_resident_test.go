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

// The resident closed-form KL, KLClosedTerm: its value against
// Normal.KLNormalAt written out, in both dtypes; its gradients against
// finite differences; its errors; its kernels.

func TestKLClosedTermValue(t *testing.T) {
	for _, p := range []Normal{{Mu: 0, Sigma: 1}, {Mu: 0.1, Sigma: 0.8}, {Mu: -0.3, Sigma: 2.5}} {
		const n = 30
		mu := seq(n, normals(51, 0.05, 0.3))
		rho := seq(n, func(i int) float64 { return -5 + 0.4*float64(i%12) }) // past softplus64's x > 20 branch too
		rho[3] = 21
		want := 0.0
		for i := range mu {
			s := math.Log1p(math.Exp(rho[i]))
			if rho[i] > 20 {
				s = rho[i] // softplus's cut, as on the host (log1p(e^21) is 21 + 8e-10)
			}
			d := mu[i] - p.Mu
			want += math.Log(p.Sigma/s) + (s*s+d*d)/(2*p.Sigma*p.Sigma) - 0.5
		}
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			g := G.NewGraph()
			kl, err := KLClosedTerm(dtInput(g, "mu", dt, mu, n), dtInput(g, "rho", dt, rho, n), p)
			if err != nil {
				t.Fatal(err)
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5 // the inputs' rounding
			}
			if got := run(t, g, kl)[0]; !(math.Abs(got-want) <= tol*math.Abs(want)) {
				t.Errorf("%v %v: KLClosedTerm %.15g, want %.15g", p, dt, got, want)
			}
		}
	}
}

// d (c · KLClosedTerm) / d mu and d rho, c = -1.7, against central
// differences.
func TestGradientKLClosedTerm(t *testing.T) {
	for _, p := range []Normal{{Mu: 0.1, Sigma: 0.6}, {Mu: -0.5, Sigma: 1.5}} {
		g := G.NewGraph()
		shape := []int{4, 5}
		mu := input(g, "mu", shape, normals(61, 0.2, 0.5))
		rho := input(g, "rho", shape, normals(62, -2, 1))
		kl, err := KLClosedTerm(mu, rho, p)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := G.Mul(kl, G.NewConstant(-1.7))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(p.String(), func(t *testing.T) { checkGradient(t, g, cost, G.Nodes{mu, rho}, gradTol) })
	}
}

// A prior without a closed form, one whose closed form has no resident
// kernel, an invalid Normal and mismatched inputs are errors naming them.
func TestKLClosedTermErrors(t *testing.T) {
	g := G.NewGraph()
	a := input(g, "a", []int{3}, func(int) float64 { return 1 })
	b := input(g, "b", []int{4}, func(int) float64 { return 1 })
	a32 := dtInput(g, "a32", tensor.Float32, []float64{1, 2, 3}, 3)
	for _, tc := range []struct {
		prior   Prior
		mu, rho *G.Node
		want    string
	}{
		{ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.1}, a, a, "nodes: KLClosedTerm: prior mixture:0.5,1,0.1 has no closed-form KL"},
		{otherPrior{Normal{Sigma: 1}}, a, a, "nodes: KLClosedTerm: prior normal:0,1: the resident closed-form KL takes only a Normal"},
		{Normal{Sigma: -1}, a, a, "Normal"},
		{Normal{Sigma: 1}, a, b, "KLClosedTerm mu/rho"},
		{Normal{Sigma: 1}, a, a32, "KLClosedTerm"},
	} {
		if _, err := KLClosedTerm(tc.mu, tc.rho, tc.prior); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("prior %v: error %v, want %q", tc.prior, err, tc.want)
		}
	}
}

// The op's name carries the prior; its CUDA kernels are defined in
// nodes/kernels/bbb.cu for both dtypes.
func TestKLClosedTermKernels(t *testing.T) {
	g := G.NewGraph()
	a := input(g, "a", []int{3}, func(int) float64 { return 1 })
	kl, err := KLClosedTerm(a, a, Normal{Mu: 0.1, Sigma: 0.8})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kl.Op().(*klClosedOp).name, "KLClosed(prior N(0.1, 0.8²))"; got != want {
		t.Errorf("op name %q, want %q", got, want)
	}
	src, err := os.ReadFile(filepath.Join("kernels", "bbb.cu"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"_partial", "_dmu", "_drho"} {
		if !strings.Contains(string(src), `extern "C" __global__ void `+klClosedKernel+k+"_##S(") {
			t.Errorf("bbb.cu defines no %s%s_##S", klClosedKernel, k)
		}
	}
}
