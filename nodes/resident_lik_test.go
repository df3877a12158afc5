package nodes

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// residentLikCase builds one resident likelihood op on float64 inputs and
// returns it, the inputs it is differentiated by, and its value written out
// with gonum's distuv (or the log-softmax by hand).
type residentLikCase struct {
	name  string
	build func(g *G.ExprGraph) (ll *G.Node, wrt G.Nodes, want float64, err error)
}

func residentLikCases() []residentLikCase {
	return []residentLikCase{
		{"learned", func(g *G.ExprGraph) (*G.Node, G.Nodes, float64, error) {
			y := input(g, "y", []int{7, 1}, normals(21, 0, 2))
			pred := input(g, "pred", []int{7, 1}, normals(22, 0, 2))
			rho := input(g, "rho", []int{1}, func(int) float64 { return 0.3 })
			ll, err := LearnedGaussianLogLikResident(y, pred, rho)
			s := math.Log1p(math.Exp(0.3))
			var want float64
			ps := pred.Value().Data().([]float64)
			for i, yi := range y.Value().Data().([]float64) {
				want += distuv.Normal{Mu: ps[i], Sigma: s}.LogProb(yi)
			}
			return ll, G.Nodes{pred, rho}, want, err
		}},
		{"hetero k=2", func(g *G.ExprGraph) (*G.Node, G.Nodes, float64, error) {
			const k = 2
			y := input(g, "y", []int{5, k}, normals(31, 0, 2))
			out := input(g, "out", []int{5, 2 * k}, normals(32, 0, 1.5))
			ll, err := HeteroGaussianLogLikResident(y, out, HeteroScale{Min: 0.01, Shift: -0.7})
			ys, os := y.Value().Data().([]float64), out.Value().Data().([]float64)
			var want float64
			for r := 0; r < 5; r++ {
				for j := 0; j < k; j++ {
					s := 0.01 + math.Log1p(math.Exp(os[r*2*k+k+j]-0.7))
					want += distuv.Normal{Mu: os[r*2*k+j], Sigma: s}.LogProb(ys[r*k+j])
				}
			}
			return ll, G.Nodes{out}, want, err
		}},
		{"categorical soft targets", func(g *G.ExprGraph) (*G.Node, G.Nodes, float64, error) {
			y := input(g, "y", []int{6, 4}, normals(12, 0.5, 0.3))
			z := input(g, "z", []int{6, 4}, normals(11, 0, 2))
			ll, err := CategoricalLogLikResident(y, z)
			return ll, G.Nodes{z}, categoricalByHand(y, z, 4), err
		}},
		{"categorical 2 classes", func(g *G.ExprGraph) (*G.Node, G.Nodes, float64, error) {
			y := input(g, "y", []int{5, 2}, oneHot(5, 2))
			z := input(g, "z", []int{5, 2}, normals(13, 0, 3))
			ll, err := CategoricalLogLikResident(y, z)
			return ll, G.Nodes{z}, categoricalByHand(y, z, 2), err
		}},
	}
}

// categoricalByHand is Σ_rc y_rc (z_rc - log Σ_c' exp z_rc').
func categoricalByHand(y, z *G.Node, k int) float64 {
	ys, zs := y.Value().Data().([]float64), z.Value().Data().([]float64)
	var ll float64
	for r := 0; r < len(ys)/k; r++ {
		var s float64
		for c := 0; c < k; c++ {
			s += math.Exp(zs[r*k+c])
		}
		for c := 0; c < k; c++ {
			ll += ys[r*k+c] * (zs[r*k+c] - math.Log(s))
		}
	}
	return ll
}

// Each resident likelihood's value is the density written out, and its
// gradients (under a scaled upstream gradient, so the g factor counts)
// agree with central finite differences: the learned one's w.r.t. the
// output and rho (through the softplus inside the op), the
// heteroscedastic one's w.r.t. the means and raw scales, the categorical
// one's w.r.t. the logits.
func TestGradientResidentLikelihoods(t *testing.T) {
	for _, c := range residentLikCases() {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			ll, wrt, want, err := c.build(g)
			if err != nil {
				t.Fatal(err)
			}
			if got := run(t, g, ll)[0]; !within(got, want, oracleTol) {
				t.Errorf("log-likelihood %v, want %v", got, want)
			}
			s, err := G.Mul(ll, G.NewConstant(-1.7))
			if err != nil {
				t.Fatal(err)
			}
			checkGradient(t, g, s, wrt, gradTol)
		})
	}
}

// In float32 the resident ops compute what the host ops compute (the
// learned one at sigma = softplus(rho), the host graph's noise_sigma):
// the value and every gradient to float32 rounding.
func TestResidentLikelihoodsMatchHostOps(t *testing.T) {
	f32 := func(g *G.ExprGraph, name string, shape []int, f func(int) float64) *G.Node {
		n := 1
		for _, s := range shape {
			n *= s
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(f(i))
		}
		return G.NodeFromAny(g, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)), G.WithName(name))
	}
	type pair struct{ res, host *G.Node }
	for _, c := range []struct {
		name  string
		build func(g *G.ExprGraph) (pair, G.Nodes, error)
	}{
		{"learned", func(g *G.ExprGraph) (pair, G.Nodes, error) {
			y, pred := f32(g, "y", []int{9, 1}, normals(1, 0, 1)), f32(g, "pred", []int{9, 1}, normals(2, 0, 1))
			rho := f32(g, "rho", []int{1}, func(int) float64 { return -1.2 })
			sigma, err := Softplus(rho)
			if err != nil {
				return pair{}, nil, err
			}
			r, err := LearnedGaussianLogLikResident(y, pred, rho)
			if err != nil {
				return pair{}, nil, err
			}
			h, err := LearnedGaussianLogLik(y, pred, sigma)
			return pair{r, h}, G.Nodes{pred, rho}, err
		}},
		{"hetero", func(g *G.ExprGraph) (pair, G.Nodes, error) {
			y, out := f32(g, "y", []int{6, 1}, normals(3, 0, 1)), f32(g, "out", []int{6, 2}, normals(4, 0, 1))
			h := HeteroScale{Min: 0.001, Shift: SoftplusInv(0.1)}
			r, err := HeteroGaussianLogLikResident(y, out, h)
			if err != nil {
				return pair{}, nil, err
			}
			o, err := HeteroGaussianLogLik(y, out, h)
			return pair{r, o}, G.Nodes{out}, err
		}},
		{"categorical", func(g *G.ExprGraph) (pair, G.Nodes, error) {
			y, z := f32(g, "y", []int{5, 3}, oneHot(5, 3)), f32(g, "z", []int{5, 3}, normals(5, 0, 2))
			r, err := CategoricalLogLikResident(y, z)
			if err != nil {
				return pair{}, nil, err
			}
			h, err := CategoricalLogLik(y, z)
			return pair{r, h}, G.Nodes{z}, err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			p, wrt, err := c.build(g)
			if err != nil {
				t.Fatal(err)
			}
			var vals [2]G.Value
			var grads [2][]G.Value
			for k, ll := range []*G.Node{p.res, p.host} {
				gs, err := G.Grad(ll, wrt...)
				if err != nil {
					t.Fatal(err)
				}
				G.Read(ll, &vals[k])
				grads[k] = make([]G.Value, len(gs))
				for i := range gs {
					G.Read(gs[i], &grads[k][i])
				}
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			r, _ := ScalarValue(vals[0])
			h, _ := ScalarValue(vals[1])
			if !within(r, h, 1e-6) {
				t.Errorf("value: resident %v, host %v", r, h)
			}
			for i := range wrt {
				gr, gh := grads[0][i].Data().([]float32), grads[1][i].Data().([]float32)
				for j := range gh {
					if !within(float64(gr[j]), float64(gh[j]), 1e-5) {
						t.Errorf("d/d %s[%d]: resident %v, host %v", wrt[i].Name(), j, gr[j], gh[j])
					}
				}
			}
		})
	}
}

// Bad inputs are errors naming the input, before any graph runs.
func TestResidentLikelihoodErrors(t *testing.T) {
	g := G.NewGraph()
	y := input(g, "y", []int{4, 1}, normals(1, 0, 1))
	y2 := input(g, "y2", []int{4, 2}, normals(1, 0, 1))
	rho2 := input(g, "rho2", []int{2}, normals(2, 0, 1))
	rho := input(g, "rho", []int{1}, normals(2, 0, 1))
	for _, c := range []struct {
		name string
		f    func() (*G.Node, error)
		want string
	}{
		{"learned rho of 2", func() (*G.Node, error) { return LearnedGaussianLogLikResident(y, y, rho2) }, "rho has shape (2)"},
		{"learned y/pred", func() (*G.Node, error) { return LearnedGaussianLogLikResident(y, y2, rho) }, "y/pred"},
		{"hetero width", func() (*G.Node, error) { return HeteroGaussianLogLikResident(y, y, HeteroScale{}) }, "rows × 2k"},
		{"hetero scale", func() (*G.Node, error) { return HeteroGaussianLogLikResident(y, y2, HeteroScale{Min: -1}) }, "HeteroScale"},
		{"categorical 1 class", func() (*G.Node, error) { return CategoricalLogLikResident(y, y) }, "at least 2 classes"},
		{"categorical y/logits", func() (*G.Node, error) { return CategoricalLogLikResident(y2, y) }, "y/logits"},
	} {
		n, err := c.f()
		if n != nil || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, %v: want an error naming %q", c.name, n, err, c.want)
		}
		if c.want != "HeteroScale" && !errors.Is(err, ErrShape) {
			t.Errorf("%s: %v: want ErrShape", c.name, err)
		}
	}
}

// Every kernel the resident likelihoods launch (resident_lik_cuda.go, not
// compiled here) is defined in nodes/kernels/bbb.cu and compiled into the
// generated PTX for both dtypes: a kernel added to one and not the others
// fails here, not on the GPU.
func TestResidentLikelihoodKernelsExist(t *testing.T) {
	read := func(path ...string) string {
		b, err := os.ReadFile(filepath.Join(path...))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	glue, src, ptx := read("resident_lik_cuda.go"), read("kernels", "bbb.cu"), read("..", "internal", "cudalib", "stdlib_gen.go")
	names := regexp.MustCompile(`"(bbb_[a-z_]+)"`).FindAllStringSubmatch(glue, -1)
	if len(names) < 8 {
		t.Fatalf("found %d kernel names in resident_lik_cuda.go, want the 8 it launches", len(names))
	}
	for _, m := range names {
		k := m[1]
		if !strings.Contains(src, `extern "C" __global__ void `+k+"_##S(") {
			t.Errorf("bbb.cu defines no %s_##S", k)
		}
		for _, s := range []string{"_f32", "_f64"} {
			if !strings.Contains(ptx, ".entry "+k+s+"(") {
				t.Errorf("internal/cudalib/stdlib_gen.go has no %s%s (scripts/cuda/gen-kernels.sh)", k, s)
			}
		}
	}
}
