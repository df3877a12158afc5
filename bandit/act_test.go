package bandit

import (
	"context"
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
			if err := l.learn(context.Background(), int32(i*97), i%2 == 0, float64(5-i%3*20)); err != nil {
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

// A posterior-mean agent (bbb-greedy) trains the BBB network, its rhos
// included, but acts at the means: the same action every time for a
// mushroom, the mean network's, where Thompson draws of the same wide
// posterior disagree.
func TestPosteriorMeanAgent(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Steps: 1, Seed: 5, Batch: 4, Hidden: 8, InitRho: 0.5, Agents: []Agent{{Name: "x"}}}.WithDefaults()
	mean, err := newLearner(c, d, Agent{Name: "bbb-greedy", PosteriorMean: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer mean.close()
	thompson, err := newLearner(c, d, Agent{Name: "bbb", Thompson: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer thompson.close()
	if mean.net == nil || mean.rhoOpt == nil || len(mean.rhoIdx) != 2*len(mean.net.Layers) {
		t.Fatalf("bbb-greedy: network %v, rho optimiser %v, %d rhos: want the BBB network's", mean.net != nil, mean.rhoOpt, len(mean.rhoIdx))
	}
	varied := false
	for m := int32(0); m < 40; m++ {
		out := mean.actor.predict(d.Hot[m], nil)
		want := out[eat] > out[actionPass]
		eats := map[bool]int{}
		for range 20 {
			if got, finite := mean.choose(m); got != want || !finite {
				t.Fatalf("mushroom %d: bbb-greedy eats %v, the mean network's action is %v", m, got, want)
			}
			got, _ := thompson.choose(m)
			eats[got]++
		}
		varied = varied || len(eats) == 2
	}
	if !varied {
		t.Error("Thompson draws of the same posterior never disagreed: the test shows nothing")
	}
	// Its rhos train as the Thompson agent's do (TestMeanSigma's check).
	agents, err := ParseAgents("bbb-greedy,greedy")
	if err != nil {
		t.Fatal(err)
	}
	rc := Config{Agents: agents, Steps: 50, Seed: 2, Every: 100, Hidden: 16, Batch: 16, InitRho: -3, RhoLR: 1e-2}
	r, err := Run(t.Context(), d, rc)
	if err != nil {
		t.Fatal(err)
	}
	if initial := math.Log1p(math.Exp(-3)); r.MeanSigma[0] == 0 || math.Abs(r.MeanSigma[0]/initial-1) < 1e-3 {
		t.Errorf("bbb-greedy: mean sigma %v after 50 steps, initial %v: its rhos did not train", r.MeanSigma[0], initial)
	}
}
