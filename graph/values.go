package graph

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/internal/parallel"
	"github.com/bbb-go/bbb/nodes"
)

// The helpers below read and write the tensors bound to input nodes in
// place, so a run after them sees the new values without a new Let.

func boundDense(n *G.Node) (*tensor.Dense, error) {
	d, ok := n.Value().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("graph: node %s holds %T, not a dense tensor", n.Name(), n.Value())
	}
	return d, nil
}

// SetValues copies v (row-major, float64) into the tensor bound to n.
func SetValues(n *G.Node, v []float64) error {
	d, err := boundDense(n)
	if err != nil {
		return err
	}
	if d.Size() != len(v) {
		return fmt.Errorf("graph: SetValues %s: %d values for %v", n.Name(), len(v), d.Shape())
	}
	switch d.Dtype() {
	case tensor.Float32:
		dst := d.Float32s()
		for i, x := range v {
			dst[i] = float32(x)
		}
	default:
		copy(d.Float64s(), v)
	}
	return nil
}

// Values returns a float64 copy of the tensor bound to n.
func Values(n *G.Node) ([]float64, error) {
	d, err := boundDense(n)
	if err != nil {
		return nil, err
	}
	return ValueFloats(d)
}

// ValueFloats returns a float64 copy of a dense value or a scalar.
func ValueFloats(v G.Value) ([]float64, error) {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out, nil
	case []float64:
		return append([]float64(nil), d...), nil
	case float32:
		return []float64{float64(d)}, nil
	case float64:
		return []float64{d}, nil
	}
	return nil, fmt.Errorf("graph: value of type %T is not float32 or float64", v.Data())
}

// Scalar returns a scalar value as float64.
func Scalar(v G.Value) (float64, error) { return nodes.ScalarValue(v) }

// FillNormal overwrites the tensor bound to n with draws from N(mean, std²).
func FillNormal(n *G.Node, rng *rand.Rand, mean, std float64) error {
	d, err := boundDense(n)
	if err != nil {
		return err
	}
	fillNormalDense(d, rng, mean, std)
	return nil
}

func fillNormalDense(d *tensor.Dense, rng *rand.Rand, mean, std float64) {
	switch d.Dtype() {
	case tensor.Float32:
		s := d.Float32s()
		for i := range s {
			s[i] = float32(mean + std*rng.NormFloat64())
		}
	default:
		s := d.Float64s()
		for i := range s {
			s[i] = mean + std*rng.NormFloat64()
		}
	}
}

// FillEpsConst sets every eps node to v (0: the posterior means).
func (n *Network) FillEpsConst(v float64) error {
	if n.Store != nil {
		return fmt.Errorf("graph: FillEpsConst: a resident network draws epsilon itself")
	}
	for _, e := range n.Eps() {
		d, err := boundDense(e)
		if err != nil {
			return err
		}
		if err := d.Memset(castLike(d.Dtype(), v)); err != nil {
			return err
		}
	}
	return nil
}

func castLike(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

// FillEps draws fresh standard-normal values into every eps node. A
// resident network draws its own (SetStep picks the draw): an error.
func (n *Network) FillEps(rng *rand.Rand) error {
	if n.Store != nil {
		return fmt.Errorf("graph: FillEps: a resident network draws epsilon itself (SetStep)")
	}
	for _, e := range n.Eps() {
		if err := FillNormal(e, rng, 0, 1); err != nil {
			return err
		}
	}
	return nil
}

// EpsStreams returns the Philox stream of each eps node, in Eps order:
// 2i for layer i's w_eps (or its local-reparameterisation eps), 2i+1 for
// its b_eps, the streams of a resident network's Noise nodes.
func (n *Network) EpsStreams() []uint64 {
	out := make([]uint64, 0, 2*len(n.Layers))
	for i, l := range n.Layers {
		out = append(out, uint64(2*i))
		if l.OutEps == nil {
			out = append(out, uint64(2*i+1))
		}
	}
	return out
}

// FillEpsAt puts draw step of the counter-based epsilon source seed into
// every eps node: element k of the node of stream s is nodes.NormalAt(seed,
// s, step, k), what a resident network's Noise nodes hold at that step
// (SetStep), so the host and the resident graph (and the GPU) compute with
// the same numbers. Large nodes are filled in parallel (internal/parallel).
func (n *Network) FillEpsAt(seed, step uint64) error {
	if n.Store != nil {
		return fmt.Errorf("graph: FillEpsAt: a resident network draws epsilon itself (SetStep)")
	}
	streams := n.EpsStreams()
	for k, e := range n.Eps() {
		d, err := boundDense(e)
		if err != nil {
			return err
		}
		fillNoiseDense(d, seed, streams[k], step, parallel.For)
	}
	return nil
}

// FillEpsSetAt draws into set (from EpsLike) exactly what FillEpsAt draws
// into the eps nodes of a network whose EpsStreams are streams, on the
// calling goroutine alone (it runs beside the graph's workers).
func FillEpsSetAt(set []*tensor.Dense, streams []uint64, seed, step uint64) {
	for k, d := range set {
		fillNoiseDense(d, seed, streams[k], step, serial)
	}
}

func serial(n int, f func(lo, hi int)) { f(0, n) }

// fillNoiseDense fills d with the draw (seed, stream, step), split by
// split (parallel.For or serial): each element is a function of its
// index, so the split does not change the numbers.
func fillNoiseDense(d *tensor.Dense, seed, stream, step uint64, split func(int, func(lo, hi int))) {
	switch v := d.Data().(type) {
	case []float32:
		split(len(v), func(lo, hi int) { nodes.FillNoiseAt(v[lo:hi], seed, stream, step, uint64(lo)) })
	case []float64:
		split(len(v), func(lo, hi int) { nodes.FillNoiseAt(v[lo:hi], seed, stream, step, uint64(lo)) })
	}
}

// EpsLike returns new tensors shaped like the eps nodes' values, for
// FillEpsInto (a second set, filled while the graph runs on the first).
func (n *Network) EpsLike() ([]*tensor.Dense, error) {
	var out []*tensor.Dense
	for _, e := range n.Eps() {
		d, err := boundDense(e)
		if err != nil {
			return nil, err
		}
		out = append(out, tensor.New(tensor.Of(d.Dtype()), tensor.WithShape(d.Shape().Clone()...)))
	}
	return out, nil
}

// FillEpsInto draws into set (from EpsLike) exactly what FillEps would
// draw into the eps nodes from the same rng state.
func FillEpsInto(set []*tensor.Dense, rng *rand.Rand) {
	for _, d := range set {
		fillNormalDense(d, rng, 0, 1)
	}
}

// SetEps copies set (from EpsLike) into the eps nodes' values.
func (n *Network) SetEps(set []*tensor.Dense) error {
	eps := n.Eps()
	if len(set) != len(eps) {
		return fmt.Errorf("graph: SetEps: %d tensors for %d eps nodes", len(set), len(eps))
	}
	for i, e := range eps {
		d, err := boundDense(e)
		if err != nil {
			return err
		}
		if d.Size() != set[i].Size() || d.Dtype() != set[i].Dtype() {
			return fmt.Errorf("graph: SetEps: tensor %d is %v %v, node %s holds %v %v", i, set[i].Dtype(), set[i].Shape(), e.Name(), d.Dtype(), d.Shape())
		}
		switch dst := d.Data().(type) {
		case []float32:
			copy(dst, set[i].Float32s())
		case []float64:
			copy(dst, set[i].Float64s())
		}
	}
	return nil
}

// Init draws the initial variational parameters from n.Config.Init.
func (n *Network) Init(rng *rand.Rand) error {
	in := n.Config.Init
	ps := n.Learnables()
	for i := 0; i < 4*len(n.Layers); i += 4 {
		for k, f := range []struct{ mean, std float64 }{
			{0, in.WMuStd}, {in.WRhoMean, in.WRhoStd}, {in.BMu, 0}, {in.BRho, 0},
		} {
			if err := FillNormal(ps[i+k], rng, f.mean, f.std); err != nil {
				return err
			}
		}
	}
	if err := n.Config.Lik().InitLearnables(n); err != nil {
		return err
	}
	n.reload()
	return nil
}

// reload tells a resident network's store that the host tensors changed.
func (n *Network) reload() {
	if n.Store != nil {
		n.Store.Reload()
	}
}

// CopyParams copies the learnable values of src into n; both networks must
// come from the same Config (rows may differ).
func (n *Network) CopyParams(src *Network) error {
	dst, from := n.Learnables(), src.Learnables()
	if len(dst) != len(from) {
		return fmt.Errorf("graph: CopyParams: %d learnables vs %d", len(dst), len(from))
	}
	for i := range dst {
		a, err := boundDense(dst[i])
		if err != nil {
			return err
		}
		b, err := boundDense(from[i])
		if err != nil {
			return err
		}
		if !a.Shape().Eq(b.Shape()) || a.Dtype() != b.Dtype() {
			return fmt.Errorf("graph: CopyParams %s: %v%v vs %v%v", dst[i].Name(), a.Dtype(), a.Shape(), b.Dtype(), b.Shape())
		}
		if err := tensor.Copy(a, b); err != nil {
			return err
		}
	}
	n.reload()
	return nil
}
