package nodes

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// storeRig is the smallest training graph of a store: a 2×3 parameter
// whose Adam update takes a Noise node (stream 0) as its gradient, and an
// input (Data); each run draws the noise and updates the parameter.
type storeRig struct {
	s         *ParamStore
	p, n, x   *G.Node
	host      *tensor.Dense
	noise     G.Value
	vm        G.VM
	dt        tensor.Dtype
	step      *G.Node
	otherNode *G.Node // a Param node of another store
}

func newStoreRig(t *testing.T, dt tensor.Dtype) *storeRig {
	t.Helper()
	g := G.NewGraph()
	r := &storeRig{dt: dt}
	r.step = G.NewVector(g, dt, G.WithShape(1), G.WithName("step"), G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(1))))
	var err error
	if r.s, err = NewParamStore(dt, 5, AdamConfig{LR: 0.1}); err != nil {
		t.Fatal(err)
	}
	r.host = tensor.New(tensor.Of(dt), tensor.WithShape(2, 3))
	for i := range 6 {
		if err := r.host.SetAt(castTo(dt, float64(i)-2.5), i/3, i%3); err != nil {
			t.Fatal(err)
		}
	}
	if r.p, err = r.s.Param(r.step, "w", r.host); err != nil {
		t.Fatal(err)
	}
	if r.x, err = r.s.Data(r.step, "x", tensor.New(tensor.Of(dt), tensor.WithShape(2, 3))); err != nil {
		t.Fatal(err)
	}
	if r.n, err = r.s.Noise(r.step, "eps", 0, 2, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := r.s.AdamUpdate(r.p, r.n); err != nil {
		t.Fatal(err)
	}
	G.Read(r.n, &r.noise)
	other, err := NewParamStore(dt, 5, AdamConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if r.otherNode, err = other.Param(r.step, "w_other", tensor.New(tensor.Of(dt), tensor.WithShape(2, 3))); err != nil {
		t.Fatal(err)
	}
	r.vm = G.NewTapeMachine(g)
	t.Cleanup(func() { r.vm.Close() })
	return r
}

// run runs step t and returns the noise it drew.
func (r *storeRig) run(t *testing.T, step uint64) []float64 {
	t.Helper()
	r.s.SetStep(step)
	defer r.s.RunDone()
	defer r.vm.Reset()
	if err := r.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return valueFloats(r.noise)
}

// values is the parameter's host values.
func (r *storeRig) values() []float64 { return floats(r.host) }

// dense23 is a 2×3 tensor of dt holding v.
func dense23(dt tensor.Dtype, v []float64) *tensor.Dense {
	d := tensor.New(tensor.Of(dt), tensor.WithShape(2, 3))
	for i, x := range v {
		_ = d.SetAt(castTo(dt, x), i/3, i%3)
	}
	return d
}
