package nodes

import (
	"fmt"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"
)

// held is a set of elements of one stored tensor that every write of the
// tensor leaves at one value: prune and hold (package train) keeps the
// pruned weights' mu and rho and their epsilon fixed this way while the
// others train. It is applied where the tensor is written, after every
// Adam update of a parameter and after every draw of a Noise node, so on
// the GPU it is one small kernel (bbb_hold) and no copy to the host.
type held struct {
	idx []int64 // element indices, increasing
	v   float64
}

// Hold makes the elements idx of node (a Param node or a Noise node of this
// store) equal v after every write: after each Adam update of the
// parameter, after each draw of the noise. Set the parameter's value
// there on the host first (then Reload): Hold changes only what the
// writes leave. An empty idx ends the hold. Call it between runs.
func (s *ParamStore) Hold(node *G.Node, idx []int, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("nodes: Hold %v: value %v: need a finite value", node, v)
	}
	var size int
	var dst **held
	switch op := node.Op().(type) {
	case *paramOp:
		if op.store != s || s.params[op.idx].data {
			return fmt.Errorf("nodes: Hold: %v is not a parameter of this store", node)
		}
		size, dst = s.params[op.idx].host.Size(), &s.params[op.idx].held
	case *noiseOp:
		if op.store != s {
			return fmt.Errorf("nodes: Hold: %v is not a Noise node of this store", node)
		}
		size, dst = op.shape.TotalSize(), &op.held
	default:
		return fmt.Errorf("nodes: Hold: %v is not a Param or Noise node", node)
	}
	h := &held{v: v}
	for _, i := range idx {
		if i < 0 || i >= size {
			return fmt.Errorf("%w: Hold %v: element %d of %d", ErrShape, node, i, size)
		}
		h.idx = append(h.idx, int64(i))
	}
	slices.Sort(h.idx)
	h.idx = slices.Compact(h.idx)
	s.mu.Lock()
	defer s.mu.Unlock()
	*dst = h // with no index, a hold of nothing
	return nil
}

// apply sets the held elements of data ([]float32 or []float64) to v.
func (h *held) apply(data any) {
	if h == nil {
		return // never held
	}
	switch d := data.(type) {
	case []float32:
		for _, i := range h.idx {
			d[i] = float32(h.v)
		}
	case []float64:
		for _, i := range h.idx {
			d[i] = h.v
		}
	}
}
