package bandit

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
)

// graphPredict runs the BBB forward graph (params copied from net, eps
// from fill) on mushroom m with both actions.
func graphPredict(t *testing.T, l *learner, net *graph.Network, m int32, fill func(*graph.Network) error) [numActions]float32 {
	t.Helper()
	fwd, err := graph.NewForward(net.Config, numActions)
	if err != nil {
		t.Fatal(err)
	}
	if err := fwd.CopyParams(net); err != nil {
		t.Fatal(err)
	}
	if err := fill(fwd); err != nil {
		t.Fatal(err)
	}
	x, err := floats(fwd.X)
	if err != nil {
		t.Fatal(err)
	}
	l.setRow(x[:l.inputs], m, actionPass)
	l.setRow(x[l.inputs:], m, eat)
	var out G.Value
	G.Read(fwd.Output, &out)
	vm := G.NewTapeMachine(fwd.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	o := out.Data().([]float32)
	return [numActions]float32{o[0], o[1]}
}

func near(a, b [numActions]float32) bool {
	for k := range a {
		if math.Abs(float64(a[k]-b[k])) > 1e-4*(1+math.Abs(float64(b[k]))) {
			return false
		}
	}
	return true
}

// The host-side actor is the BBB graph's forward pass: at the means it
// matches the graph at eps 0, for the BBB learner and for the twin, after
// some training (so the weights are not the initial ones).
func TestActorMatchesGraph(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Steps: 1, Seed: 3, Updates: 1, Batch: 16, Hidden: 12, Agents: []Agent{{Name: "x"}}}.WithDefaults()
	for _, a := range []Agent{{Name: "bbb", Thompson: true}, {Name: "greedy"}} {
		l, err := newLearner(c, d, a, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			if err := l.learn(int32(i*97), i%2 == 0, float64(5-i%3*20)); err != nil {
				t.Fatal(err)
			}
		}
		// A network of the same config holding the learner's means.
		net, err := graph.New(c.graph(d.Width), c.Batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range l.actor.layers {
			ln := net.Layers[i]
			for _, p := range []struct {
				n *G.Node
				v []float32
			}{{ln.WMu, v.wMu}, {ln.BMu, v.bMu}, {ln.WRho, v.wRho}, {ln.BRho, v.bRho}} {
				if p.v != nil {
					copy(f32(p.n.Value()), p.v)
				}
			}
		}
		for _, m := range []int32{0, 1, 4000, 8123} {
			got := l.actor.predict(d.Hot[m], nil)
			want := graphPredict(t, l, net, m, func(n *graph.Network) error { return n.FillEpsConst(0) })
			if !near(got, want) {
				t.Errorf("%s, mushroom %d: actor %v, graph at eps 0 %v", a.Name, m, got, want)
			}
		}
		l.close()
	}
}

// A Thompson draw of the actor spreads like the graph's: over many draws
// the mean and spread of the predicted reward agree.
func TestActorDrawMatchesGraphDraws(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	// Wide posteriors (rho 0: sigma 0.69) so the spread is large.
	c := Config{Steps: 1, Seed: 5, Batch: 4, Hidden: 8, InitRho: 0.01, Agents: []Agent{{Name: "x"}}}.WithDefaults()
	l, err := newLearner(c, d, Agent{Name: "bbb", Thompson: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	const n = 400
	m := int32(17)
	rng := rand.New(rand.NewPCG(1, 2))
	var hostSum, hostSq, graphSum, graphSq float64
	for range n {
		h := float64(l.actor.predict(d.Hot[m], rng)[eat])
		g := float64(graphPredict(t, l, l.net, m, func(n *graph.Network) error { return n.FillEps(rng) })[eat])
		hostSum, hostSq = hostSum+h, hostSq+h*h
		graphSum, graphSq = graphSum+g, graphSq+g*g
	}
	hm, gm := hostSum/n, graphSum/n
	hs, gs := math.Sqrt(hostSq/n-hm*hm), math.Sqrt(graphSq/n-gm*gm)
	// Means within 4 standard errors; spreads within 20 % (400 draws).
	if se := math.Hypot(hs, gs) / math.Sqrt(n); math.Abs(hm-gm) > 4*se {
		t.Errorf("mean of draws: actor %.4f, graph %.4f (se %.4f)", hm, gm, se)
	}
	if math.Abs(hs/gs-1) > 0.2 {
		t.Errorf("spread of draws: actor %.4f, graph %.4f", hs, gs)
	}
}
