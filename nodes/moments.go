package nodes

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A store's training state is its parameters, Adam's moments and its step
// (SetStep). A checkpoint reads them out (ReadBack, then the host tensors,
// Moments and Step) and a resumed run puts them back (the host tensors
// and Reload, SetMoments, SetStep), so that a run saved by the resident
// graph continues on the host graph, whose Adam keeps the same moments,
// and the reverse.

// ReadBack brings the host copies of the parameters (Host, the network's
// learnables) and of Adam's moments (Moments) up to date with the store:
// on the GPU, one device-to-host copy of each, after the work queued
// before; on the CPU they are the store itself. A parameter whose host
// tensor changed since (Reload) keeps the host's value. Call it between
// runs.
func (s *ParamStore) ReadBack() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readBack()
}

// Moments returns copies of Adam's moments m and v of param, a Param node
// of this store, as of the last ReadBack or SetMoments (on the CPU, the
// last run): zeros before its first update.
func (s *ParamStore) Moments(param *G.Node) (m, v *tensor.Dense, err error) {
	i, err := s.paramIndex("Moments", param)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.params[i]
	n := p.host.Size()
	if p.m == nil {
		return tensor.New(tensor.Of(s.dtype), tensor.WithShape(p.host.Shape()...)),
			tensor.New(tensor.Of(s.dtype), tensor.WithShape(p.host.Shape()...)), nil
	}
	out := [2]*tensor.Dense{}
	for k, src := range [2]any{p.m, p.v} {
		var back any
		switch d := src.(type) {
		case []float32:
			back = slices.Clone(d[:n])
		case []float64:
			back = slices.Clone(d[:n])
		}
		out[k] = tensor.New(tensor.WithShape(p.host.Shape().Clone()...), tensor.WithBacking(back))
	}
	return out[0], out[1], nil
}

// SetMoments sets Adam's moments of param (a Param node of this store) to
// copies of m and v, tensors of the parameter's size and the store's
// dtype: its next update continues from them (a resumed run). Call it
// between runs.
func (s *ParamStore) SetMoments(param *G.Node, m, v *tensor.Dense) error {
	i, err := s.paramIndex("SetMoments", param)
	if err != nil {
		return err
	}
	p := s.params[i]
	var cp [2]any
	for k, t := range [2]*tensor.Dense{m, v} {
		if t == nil || t.Dtype() != s.dtype || t.Size() != p.host.Size() {
			return fmt.Errorf("%w: SetMoments %s: want two %v tensors of %d elements", ErrShape, p.name, s.dtype, p.host.Size())
		}
		switch d := t.Data().(type) {
		case []float32:
			cp[k] = slices.Clone(d)
		case []float64:
			cp[k] = slices.Clone(d)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.m, p.v = cp[0], cp[1]
	s.momentsSet(i)
	return nil
}

// paramIndex is the store index of param, a Param node of this store that
// Adam updates (not an input).
func (s *ParamStore) paramIndex(what string, param *G.Node) (int, error) {
	po, ok := param.Op().(*paramOp)
	if !ok || po.store != s || s.params[po.idx].data {
		return 0, fmt.Errorf("nodes: %s: %v is not a Param node of this store", what, param)
	}
	return po.idx, nil
}
