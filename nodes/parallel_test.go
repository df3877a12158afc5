package nodes

import (
	"fmt"
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/parallel"
)

// The elementwise ops and the KL op split their loops over
// parallel.Workers(): every value and gradient of the weight block
// (Softplus, Reparameterize, the one-sample KL under a mixture and a
// Normal prior) is the same bit for bit at one and three workers, on a
// tensor large enough for three ranges.
func TestWorkersSameNumbers(t *testing.T) {
	defer parallel.SetWorkers(1)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, prior := range []Prior{ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)}, Normal{0, 0.7}} {
			var runs [][][]float64
			for _, workers := range []int{1, 3} {
				parallel.SetWorkers(workers)
				runs = append(runs, weightBlockValues(t, dt, prior))
			}
			for i := range runs[0] {
				if !slices.Equal(runs[0][i], runs[1][i]) {
					t.Errorf("%v, %v: value %d differs between one and three workers", dt, prior, i)
				}
			}
		}
	}
}

// weightBlockValues runs sigma = softplus(rho), w = mu + sigma ⊙ eps and
// cost = KL + Σ c ⊙ w on 3·MinChunk weights; it returns w, the cost and
// the gradients of mu and rho.
func weightBlockValues(t *testing.T, dt tensor.Dtype, prior Prior) [][]float64 {
	t.Helper()
	g := G.NewGraph()
	shape := []int{3, parallel.MinChunk}
	in := func(name string, f func(int) float64) *G.Node {
		n := input(g, name, shape, f)
		if dt == tensor.Float64 {
			return n
		}
		v := n.Value().Data().([]float64)
		f32 := make([]float32, len(v))
		for i := range v {
			f32[i] = float32(v[i])
		}
		return G.NodeFromAny(g, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f32)), G.WithName(name+"32"))
	}
	mu, rho, eps, c := in("mu", normals(1, 0, 0.5)), in("rho", normals(2, -3, 1)), in("eps", normals(3, 0, 1)), in("c", normals(4, 0, 1))
	must := func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sigma := must(Softplus(rho))
	w := must(Reparameterize(mu, sigma, eps))
	kl := must(KL(w, mu, sigma, prior))
	cost := must(G.Add(kl, must(G.Sum(must(G.HadamardProd(w, c))))))
	grads, err := G.Grad(cost, mu, rho)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]G.Value, 4)
	for i, n := range []*G.Node{w, cost, grads[0], grads[1]} {
		G.Read(n, &vals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(vals))
	for i, v := range vals {
		switch d := v.Data().(type) {
		case []float32:
			for _, x := range d {
				out[i] = append(out[i], float64(x))
			}
		case []float64:
			out[i] = slices.Clone(d)
		case float32:
			out[i] = []float64{float64(d)}
		case float64:
			out[i] = []float64{d}
		default:
			panic(fmt.Sprintf("%T", d))
		}
	}
	return out
}
