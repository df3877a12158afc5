package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// referenceLoss is the negative ELBO computed in plain float64 Go from a
// network's input values, learnables and the epsilon of each layer (w then
// b, row-major): an independent check of any graph, the GPU's included.
func referenceLoss(t *testing.T, n *Network, eps [][2][]float64) float64 {
	t.Helper()
	c := n.Config
	prior := c.WeightPrior().(nodes.Normal)
	vals := func(x *G.Node) []float64 {
		v, err := Values(x)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	h := vals(n.X)
	in := c.Inputs
	ps := n.Learnables()
	var kl float64
	logN := func(x, mu, s float64) float64 {
		z := (x - mu) / s
		return -math.Log(s) - 0.5*z*z - 0.5*math.Log(2*math.Pi)
	}
	for i := range n.Layers {
		_, out := c.widths(i)
		wmu, wrho, bmu, brho := vals(ps[4*i]), vals(ps[4*i+1]), vals(ps[4*i+2]), vals(ps[4*i+3])
		w := make([]float64, len(wmu))
		b := make([]float64, len(bmu))
		for j := range w {
			s := math.Log1p(math.Exp(wrho[j]))
			w[j] = wmu[j] + s*eps[i][0][j]
			kl += logN(w[j], wmu[j], s) - logN(w[j], prior.Mu, prior.Sigma)
		}
		for j := range b {
			s := math.Log1p(math.Exp(brho[j]))
			b[j] = bmu[j] + s*eps[i][1][j]
			kl += logN(b[j], bmu[j], s) - logN(b[j], prior.Mu, prior.Sigma)
		}
		next := make([]float64, n.Rows*out)
		for r := 0; r < n.Rows; r++ {
			for o := 0; o < out; o++ {
				v := b[o]
				for k := 0; k < in; k++ {
					v += h[r*in+k] * w[k*out+o]
				}
				if i < c.Layers-1 && v < 0 {
					v = 0
				}
				next[r*out+o] = v
			}
		}
		h, in = next, out
	}
	y := vals(n.Y)
	var nll float64
	for j := range y {
		nll -= logN(y[j], h[j], c.LikelihoodSigma)
	}
	return nll + kl/c.NBatch
}

// epsOf returns the epsilon a network uses: its eps inputs' values, or
// for a resident network the draws of its store at the current step.
func epsOf(t *testing.T, n *Network) [][2][]float64 {
	t.Helper()
	out := make([][2][]float64, len(n.Layers))
	for i, l := range n.Layers {
		for k, e := range []*G.Node{l.WEps, l.BEps} {
			if n.Store != nil {
				v := make([]float64, e.Shape().TotalSize())
				nodes.FillNoise(v, n.Store.Seed, uint64(2*i+k), n.Store.Step())
				out[i][k] = v
				continue
			}
			v, err := Values(e)
			if err != nil {
				t.Fatal(err)
			}
			out[i][k] = v
		}
	}
	return out
}

// The reference agrees with every CPU graph: fused, stock and resident.
func TestReferenceLoss(t *testing.T) {
	res, host := residentPair(t, 6, 30, tensor.Float64, 2)
	stockCfg := host.Config
	stockCfg.StockOps = true
	stock := netLike(t, stockCfg, 30, 5)
	for name, n := range map[string]*Network{"fused": host, "stock": stock, "resident": res} {
		got, want := runLoss(t, n), referenceLoss(t, n, epsOf(t, n))
		if !(math.Abs(got-want) <= 1e-10*math.Abs(want)) {
			t.Errorf("%s: graph loss %v, reference %v", name, got, want)
		}
	}
}

// runLoss runs n once on a new machine and returns its loss.
func runLoss(t *testing.T, n *Network) float64 {
	t.Helper()
	h, err := nodes.Host(n.Loss)
	if err != nil {
		t.Fatal(err)
	}
	var loss G.Value
	G.Read(h, &loss)
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	l, err := Scalar(loss)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
