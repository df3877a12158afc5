package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// Each of the K passes of a predictive network is the forward pass of the
// host graph with that pass's slice of the epsilon draw.
func TestPredictiveMatchesForward(t *testing.T) {
	const rows, k, step, seed = 7, 3, 2, 9
	ref := smallNet(t, Config{Layers: 3, Hidden: 5}, rows, 4)
	cfg := ref.Config
	cfg.Resident = false
	p, err := NewPredictive(cfg, rows, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CopyParams(ref); err != nil {
		t.Fatal(err)
	}
	xv, _ := Values(ref.X)
	if err := SetValues(p.X, xv); err != nil {
		t.Fatal(err)
	}
	p.Store.Seed = seed
	if err := p.SetStep(step); err != nil {
		t.Fatal(err)
	}
	h, err := nodes.Host(p.Output)
	if err != nil {
		t.Fatal(err)
	}
	var out G.Value
	G.Read(h, &out)
	vm := G.NewTapeMachine(p.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got, _ := ValueFloats(out)
	if want := k * rows; len(got) != want || !p.Output.Shape().Eq(tensor.Shape{k, rows, 1}) {
		t.Fatalf("output %v (%d values), want (%d, %d, 1)", p.Output.Shape(), len(got), k, rows)
	}
	for j := 0; j < k; j++ {
		f, err := NewForward(cfg, rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.CopyParams(ref); err != nil {
			t.Fatal(err)
		}
		if err := SetValues(f.X, xv); err != nil {
			t.Fatal(err)
		}
		for i, l := range f.Layers {
			for s, e := range []*G.Node{l.WEps, l.BEps} {
				size := e.Shape().TotalSize()
				all := make([]float64, k*size)
				nodes.FillNoise(all, seed, uint64(2*i+s), step)
				if err := SetValues(e, all[j*size:(j+1)*size]); err != nil {
					t.Fatal(err)
				}
			}
		}
		fh, _ := nodes.Host(f.Output)
		var fo G.Value
		G.Read(fh, &fo)
		fvm := G.NewTapeMachine(f.Graph)
		if err := fvm.RunAll(); err != nil {
			t.Fatal(err)
		}
		want, _ := ValueFloats(fo)
		fvm.Close()
		for r := range want {
			if d := math.Abs(got[j*rows+r] - want[r]); d > 1e-10*(1+math.Abs(want[r])) {
				t.Fatalf("pass %d row %d: predictive %v, forward %v", j, r, got[j*rows+r], want[r])
			}
		}
	}
}
