package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// residentLikConfigs are the likelihoods the resident graph takes besides
// the fixed one (TestResidentMatchesHostGraph's): the learned scale, the
// heteroscedastic one (two targets, so four output columns) and the
// classifier's categorical one.
var residentLikConfigs = []struct {
	name string
	cfg  Config
}{
	{"learned", Config{Layers: 3, Hidden: 6, Likelihood: LikLearned{}, LikelihoodSigma: 0.4}},
	{"learned mixture nbatch", Config{Layers: 2, Hidden: 5, Likelihood: LikLearned{}, Prior: paperMixture, NBatch: 3}},
	{"hetero", Config{Layers: 3, Hidden: 6, Likelihood: LikHetero{}, Outputs: 2, MinSigma: 0.01}},
	{"classification", Config{Layers: 3, Hidden: 6, Task: Classification, Classes: 4, Inputs: 3}},
}

// likPair returns a host network of cfg and its resident twin (cfg with
// Resident) with the same data, parameters and epsilon (the resident draw
// at step). The learned likelihood's noise_rho is moved off its initial
// value, so that its own value shows in the loss.
func likPair(t *testing.T, cfg Config, dt tensor.Dtype, rows int, step uint64) (res, host *Network) {
	t.Helper()
	cfg.Dtype = dt
	cfg.Init = Init{WMuStd: 0.5, WRhoMean: -2, WRhoStd: 0.3, BMu: 0.1, BRho: -1, Set: true}
	host, err := New(cfg, rows)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(rows), 3))
	c := host.Config
	x := make([]float64, rows*c.Inputs)
	for i := range x {
		x[i] = -2 + 4*r.Float64()
	}
	y := make([]float64, rows*c.Outputs)
	for i := range y {
		if c.Task == Classification {
			if i%c.Outputs == 0 {
				y[i+r.IntN(c.Outputs)] = 1
			}
			continue
		}
		y[i] = r.NormFloat64()
	}
	if err := host.Init(r); err != nil {
		t.Fatal(err)
	}
	if host.NoiseRho != nil {
		if err := SetValues(host.NoiseRho, []float64{-0.8}); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Resident = true
	if res, err = New(cfg, rows); err != nil {
		t.Fatal(err)
	}
	if err := res.CopyParams(host); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*Network{host, res} {
		if err := SetValues(n.X, x); err != nil {
			t.Fatal(err)
		}
		if err := SetValues(n.Y, y); err != nil {
			t.Fatal(err)
		}
		if err := n.Differentiate(); err != nil {
			t.Fatal(err)
		}
	}
	res.Store.Seed = 42
	if err := res.SetStep(step); err != nil {
		t.Fatal(err)
	}
	if err := host.FillEpsAt(42, step); err != nil {
		t.Fatal(err)
	}
	return res, host
}

// residentTol is the float32 or float64 tolerance of the resident graph
// against the host graph (as TestResidentMatchesHostGraph's).
func residentTol(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return 1e-4
	}
	return 1e-10
}

// compareGrads reports the first gradient entry of each learnable where
// got differs from want by more than tol of want's largest entry.
func compareGrads(t *testing.T, what string, names G.Nodes, got, want [][]float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d gradients, want %d", what, len(got), len(want))
	}
	for i := range want {
		scale := 0.0
		for _, v := range want[i] {
			scale = math.Max(scale, math.Abs(v))
		}
		for j := range want[i] {
			if d := math.Abs(got[i][j] - want[i][j]); !(d <= tol*scale+1e-12) {
				t.Errorf("%s: d loss/d %s[%d]: resident %v, host %v", what, names[i].Name(), j, got[i][j], want[i][j])
				break
			}
		}
	}
}

// TestResidentLikelihoodsMatchHostGraph: with the learned (its noise_rho a
// Param of the store), heteroscedastic and categorical likelihoods, the
// resident graph computes the loss and every gradient of the host graph
// (noise_rho's included), whose gradients the finite-difference tests
// guard, in float64 and float32 and at two steps.
func TestResidentLikelihoodsMatchHostGraph(t *testing.T) {
	for _, lc := range residentLikConfigs {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			for _, step := range []uint64{1, 5} {
				res, host := likPair(t, lc.cfg, dt, 23, step)
				what := lc.name + " " + dt.String()
				if got, want := len(res.Learnables()), len(host.Learnables()); got != want {
					t.Fatalf("%s: %d learnables, host %d", what, got, want)
				}
				for i, p := range host.Learnables() {
					if q := res.Learnables()[i]; q.Name() != p.Name() || !q.Shape().Eq(p.Shape()) {
						t.Errorf("%s: learnable %d: resident %s%v, host %s%v", what, i, q.Name(), q.Shape(), p.Name(), p.Shape())
					}
				}
				lr, gr := lossAndGrads(t, res)
				lh, gh := lossAndGrads(t, host)
				tol := residentTol(dt)
				if !(math.Abs(lr-lh) <= tol*math.Abs(lh)) {
					t.Errorf("%s step %d: loss resident %v, host %v", what, step, lr, lh)
				}
				compareGrads(t, what, host.Learnables(), gr, gh, tol)
			}
		}
	}
}

// Three Adam steps inside the resident graph (AddAdam: noise_rho's too,
// on the device) take the parameters where PyTorch's Adam written out
// takes the host graph's, with every likelihood of residentLikConfigs.
func TestResidentLikelihoodsAdamSteps(t *testing.T) {
	for _, lc := range residentLikConfigs {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			what := lc.name + " " + dt.String()
			res, host := likPair(t, lc.cfg, dt, 17, 1)
			const lr = 0.05
			if err := res.AddAdam(nodes.AdamConfig{LR: lr}); err != nil {
				t.Fatal(err)
			}
			hm, rm := newStepMachine(host), newStepMachine(res)
			tol := residentTol(dt)
			ps := host.Learnables()
			m, v := make([][]float64, len(ps)), make([][]float64, len(ps))
			const steps = 3
			for step := uint64(1); step <= steps; step++ {
				if err := host.FillEpsAt(42, step); err != nil {
					t.Fatal(err)
				}
				lh, gh := hm.run(t)
				if err := res.SetStep(step); err != nil {
					t.Fatal(err)
				}
				res.Store.PullAfterRun()
				lres, gres := rm.run(t)
				res.Store.RunDone()
				if !(math.Abs(lres-lh) <= tol*math.Abs(lh)) {
					t.Fatalf("%s step %d: loss resident %v, host %v", what, step, lres, lh)
				}
				compareGrads(t, what, ps, gres, gh, tol)
				bc1, bc2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
				for i, p := range ps {
					w, _ := Values(p)
					if m[i] == nil {
						m[i], v[i] = make([]float64, len(w)), make([]float64, len(w))
					}
					for j, g := range gh[i] {
						m[i][j] = 0.9*m[i][j] + 0.1*g
						v[i][j] = 0.999*v[i][j] + 0.001*g*g
						w[j] -= lr * (m[i][j] / bc1) / (math.Sqrt(v[i][j]/bc2) + 1e-8)
					}
					if err := SetValues(p, w); err != nil {
						t.Fatal(err)
					}
				}
				for i, p := range ps {
					want, _ := Values(p)
					got, _ := Values(res.Learnables()[i])
					for j := range want {
						if d := math.Abs(got[j] - want[j]); !(d <= 10*tol*(1+math.Abs(want[j]))) {
							t.Fatalf("%s after step %d: %s[%d]: resident %v, host %v", what, step, p.Name(), j, got[j], want[j])
						}
					}
				}
			}
			hm.vm.Close()
			rm.vm.Close()
		}
	}
}

// stepMachine runs a network again and again, reading its loss and
// gradients through host copies.
type stepMachine struct {
	vm    G.VM
	loss  G.Value
	grads []G.Value
	store *nodes.ParamStore
}

func newStepMachine(n *Network) *stepMachine {
	s := &stepMachine{grads: make([]G.Value, len(n.Grads)), store: n.Store}
	host := func(x *G.Node) *G.Node {
		h, err := nodes.Host(x)
		if err != nil {
			panic(err)
		}
		return h
	}
	G.Read(host(n.Loss), &s.loss)
	for i, g := range n.Grads {
		G.Read(host(g), &s.grads[i])
	}
	s.vm = G.NewTapeMachine(n.Graph)
	return s
}

func (s *stepMachine) run(t *testing.T) (float64, [][]float64) {
	t.Helper()
	defer s.vm.Reset()
	if err := s.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	l, err := Scalar(s.loss)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(s.grads))
	for i, v := range s.grads {
		if out[i], err = ValueFloats(v); err != nil {
			t.Fatal(err)
		}
	}
	return l, out
}

// A resident network of LikLearned keeps noise_rho where Learnables and
// Noise read it (the host tensor, last of Learnables) and computes with
// the store's Param (LikLearnables, last of Params, what AddAdam updates);
// it has no host softplus node. A custom likelihood without a resident
// form is refused by New, naming it.
func TestResidentLearnedLikelihoodNodes(t *testing.T) {
	n, err := New(Config{Layers: 2, Hidden: 3, Likelihood: LikLearned{}, Resident: true, LikelihoodSigma: 0.3}, 4)
	if err != nil {
		t.Fatal(err)
	}
	ls, ps := n.Learnables(), n.Params()
	if ls[len(ls)-1] != n.NoiseRho || n.NoiseRho.Name() != "noise_rho" {
		t.Errorf("last learnable %v, NoiseRho %v", ls[len(ls)-1], n.NoiseRho)
	}
	if len(n.LikLearnables()) != 1 || ps[len(ps)-1] != n.LikLearnables()[0] || n.LikLearnables()[0] == n.NoiseRho {
		t.Errorf("LikLearnables %v, last param %v", n.LikLearnables(), ps[len(ps)-1])
	}
	if n.NoiseSigma != nil {
		t.Errorf("NoiseSigma %v in a resident network", n.NoiseSigma)
	}
	if err := n.Init(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	z, err := n.Noise()
	if err != nil || math.Abs(z.Sigma-0.3) > 1e-6 {
		t.Errorf("Noise %+v, %v: want sigma 0.3", z, err)
	}
	for _, x := range n.Graph.AllNodes() {
		if x.Name() == "noise_sigma" {
			t.Errorf("resident graph has a noise_sigma node (%v)", x.Op())
		}
	}
}

// Every op of a resident graph with these likelihoods feeds the loss (as
// TestResidentGraphHasNoStrayNodes for the fixed one): no host node, such
// as the host graph's noise_sigma softplus, is left to pull the output off
// the GPU each step.
func TestResidentLikelihoodsNoStrayNodes(t *testing.T) {
	for _, lc := range residentLikConfigs {
		cfg := lc.cfg
		cfg.Resident = true
		n, err := New(cfg, 6)
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
				t.Errorf("%s: stray node %v (op %v)", lc.name, x.Name(), x.Op())
			}
		}
	}
}
