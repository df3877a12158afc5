package bandit

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
)

// The twin is the BBB network at eps 0 and KL weight 0: same loss
// gradient with respect to the means.
func TestTwinIsBBBAtTheMeans(t *testing.T) {
	c := Config{Hidden: 7, Batch: 5, Agents: []Agent{{Name: "x"}}}.WithDefaults()
	gc := c.graph(9)
	net, err := graph.New(gc, c.Batch)
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Init(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	if err := net.FillEpsConst(0); err != nil {
		t.Fatal(err)
	}
	if err := net.SetKLWeight(0); err != nil {
		t.Fatal(err)
	}
	if err := net.Differentiate(); err != nil {
		t.Fatal(err)
	}
	tw, err := newTwin(gc, c.Batch, net)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	x := make([]float64, c.Batch*gc.Inputs)
	y := make([]float64, c.Batch)
	for i := range x {
		x[i] = float64(rng.IntN(2))
	}
	for i := range y {
		y[i] = 10 * rng.NormFloat64()
	}
	for _, n := range []*G.Node{net.X, tw.x} {
		if err := graph.SetValues(n, x); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []*G.Node{net.Y, tw.y} {
		if err := graph.SetValues(n, y); err != nil {
			t.Fatal(err)
		}
	}
	read := func(g *G.ExprGraph, nodes G.Nodes) []G.Value {
		vals := make([]G.Value, len(nodes))
		for i, n := range nodes {
			G.Read(n, &vals[i])
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return vals
	}
	bbb, twin := read(net.Graph, net.Grads), read(tw.g, tw.grads)
	for i := range net.Layers {
		for k, pair := range [][2]G.Value{{bbb[4*i], twin[2*i]}, {bbb[4*i+2], twin[2*i+1]}} {
			a, b := f32(pair[0]), f32(pair[1])
			for j := range a {
				if math.Abs(float64(a[j]-b[j])) > 1e-4*(1+math.Abs(float64(a[j]))) {
					t.Fatalf("layer %d param %d [%d]: BBB grad %v, twin %v", i, k, j, a[j], b[j])
				}
			}
		}
	}
}
