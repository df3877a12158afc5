package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// residentPair returns a resident network and a host (fused-ops) network
// with the same data and parameters, the host network's epsilon set to what
// the resident one draws at step.
func residentPair(t *testing.T, hidden, rows int, dt tensor.Dtype, step uint64) (res, host *Network) {
	return residentPairLayers(t, 3, hidden, rows, dt, step)
}

func residentPairLayers(t *testing.T, layers, hidden, rows int, dt tensor.Dtype, step uint64) (res, host *Network) {
	return residentPairPrior(t, layers, hidden, rows, dt, step, residentNormal)
}

// residentNormal is residentPair's prior.
var residentNormal = nodes.Normal{Mu: 0.1, Sigma: 0.8}

// residentPairPrior is residentPairLayers with the weight prior prior.
func residentPairPrior(t *testing.T, layers, hidden, rows int, dt tensor.Dtype, step uint64, prior nodes.Prior) (res, host *Network) {
	t.Helper()
	return residentPairConfig(t, Config{Layers: layers, Hidden: hidden, LikelihoodSigma: 0.5, Dtype: dt, Prior: prior}, rows, step)
}

// residentPairConfig is residentPair for the model of cfg (Resident unset).
func residentPairConfig(t *testing.T, cfg Config, rows int, step uint64) (res, host *Network) {
	t.Helper()
	host = netLike(t, cfg, rows, 5)
	cfg.Resident = true
	cfg.Init = host.Config.Init
	res, err := New(cfg, rows)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.CopyParams(host); err != nil {
		t.Fatal(err)
	}
	for _, xy := range [][2]*Network{{res, host}} {
		for _, p := range [][2]*G2{{{xy[0].X}, {xy[1].X}}, {{xy[0].Y}, {xy[1].Y}}} {
			v, _ := Values(p[1].n)
			if err := SetValues(p[0].n, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	res.Store.Seed = 42
	if err := res.SetStep(step); err != nil {
		t.Fatal(err)
	}
	// The host graph's own epsilon source: the resident Noise nodes' draws.
	if err := host.FillEpsAt(42, step); err != nil {
		t.Fatal(err)
	}
	return res, host
}

// TestResidentMatchesHostGraph: the resident graph (Param, Noise, Sample,
// KLTerm, BiasAct, GaussianLogLikResident, backpropagated to Param nodes)
// computes the loss and every gradient of the host graph, whose gradients
// TestLossGradientFiniteDifference guards, with the Normal prior and with
// the paper's scale mixture (KLTerm's log-sum-exp against the host's KL),
// with the closed-form KL (KLClosedTerm against Normal.KLNormal) and with
// local reparameterisation (Square, SoftplusSquare, LocalOut against
// local.go's host ops, the pre-activations' eps from the same Philox
// streams).
//
// The host graph draws its epsilon with FillEpsAt (the trainer's source),
// so the two agree at every step without copying epsilon between them.
func TestResidentMatchesHostGraph(t *testing.T) {
	closed := Config{Layers: 3, Hidden: 7, LikelihoodSigma: 0.5, Prior: residentNormal, KL: KLClosed}
	local := closed
	local.Estimator = LocalReparam
	for _, c := range []struct {
		dt    tensor.Dtype
		step  uint64
		prior nodes.Prior
		cfg   *Config // else residentPair(Prior)'s
	}{
		{tensor.Float64, 1, nil, nil}, {tensor.Float64, 3, nil, nil}, {tensor.Float32, 1, nil, nil}, {tensor.Float32, 2, nil, nil}, {tensor.Float32, 1 << 40, nil, nil},
		{tensor.Float64, 1, paperMixture, nil}, {tensor.Float64, 3, paperMixture, nil}, {tensor.Float32, 1, paperMixture, nil}, {tensor.Float32, 2, paperMixture, nil},
		{tensor.Float64, 1, nil, &closed}, {tensor.Float64, 3, nil, &closed}, {tensor.Float32, 1, nil, &closed}, {tensor.Float32, 2, nil, &closed},
		{tensor.Float64, 1, nil, &local}, {tensor.Float64, 3, nil, &local}, {tensor.Float32, 1, nil, &local}, {tensor.Float32, 2, nil, &local},
	} {
		dt := c.dt
		var res, host *Network
		switch {
		case c.cfg != nil:
			cfg := *c.cfg
			cfg.Dtype = dt
			res, host = residentPairConfig(t, cfg, 40, c.step)
		case c.prior == nil:
			res, host = residentPair(t, 7, 40, dt, c.step)
		default:
			res, host = residentPairPrior(t, 3, 7, 40, dt, c.step, c.prior)
		}
		for _, n := range []*Network{res, host} {
			if err := n.Differentiate(); err != nil {
				t.Fatal(err)
			}
		}
		lr, gr := lossAndGrads(t, res)
		lh, gh := lossAndGrads(t, host)
		tol := 1e-10
		if dt == tensor.Float32 {
			tol = 1e-4 // float32 sums of 40 rows in another order: a few ulps of 1e-5 (seen 5e-5 at step 1)
		}
		if !(math.Abs(lr-lh) <= tol*math.Abs(lh)) {
			t.Errorf("%v %v kl %v %v: loss resident %v, host %v", dt, res.Config.WeightPrior(), res.Config.KL, res.Config.Estimator, lr, lh)
		}
		for i := range gh {
			scale := 0.0
			for _, v := range gh[i] {
				scale = math.Max(scale, math.Abs(v))
			}
			for j := range gh[i] {
				if d := math.Abs(gr[i][j] - gh[i][j]); d > tol*scale+1e-12 {
					t.Errorf("%v %v kl %v %v: d loss/d %s[%d]: resident %v, host %v", dt, res.Config.WeightPrior(), res.Config.KL, res.Config.Estimator, host.Learnables()[i].Name(), j, gr[i][j], gh[i][j])
					break
				}
			}
		}
	}
}

// G2 wraps a node for the table above.
type G2 struct{ n *G.Node }

// Every op of the forward graph must feed the loss: the machine runs every
// node, and a stray one runs each step for nothing or, on the GPU, pulls
// its inputs to the CPU and stalls the stream (an early build left a host
// likelihood node in the resident graph: 10% of a step). Gorgonia's own
// backward pass leaves two small strays that this cannot avoid: the first
// layer's d/dx (a GEMM with one column) and, with NBatch != 1, d/d(1/NBatch).
func TestResidentGraphHasNoStrayNodes(t *testing.T) {
	for _, c := range []Config{
		{Layers: 3, Hidden: 5, Resident: true, NBatch: 4},
		{Layers: 3, Hidden: 5, Resident: true, NBatch: 4, KL: KLClosed},
		{Layers: 3, Hidden: 5, Resident: true, NBatch: 4, KL: KLClosed, Estimator: LocalReparam},
	} {
		checkNoStrayNodes(t, c)
	}
}

func checkNoStrayNodes(t *testing.T, c Config) {
	t.Helper()
	n, err := New(c, 10)
	if err != nil {
		t.Fatal(err)
	}
	used := map[*G.Node]bool{}
	var visit func(*G.Node)
	visit = func(x *G.Node) {
		if used[x] {
			return
		}
		used[x] = true
		for it := n.Graph.From(x.ID()); it.Next(); {
			visit(it.Node().(*G.Node))
		}
	}
	visit(n.Loss)
	for _, x := range n.Graph.AllNodes() {
		if x.Op() != nil && !used[x] {
			t.Errorf("kl %v %v: stray node %v (op %v)", c.KL, c.Estimator, x.Name(), x.Op())
		}
	}
}
