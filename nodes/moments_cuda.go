//go:build cuda

package nodes

import (
	"gorgonia.org/cu"
	"gorgonia.org/tensor"
)

// readBack copies each parameter, and Adam's moments of each, from the
// device into its host copy (synchronous copies after the work queued
// before). A buffer the host changed since (stale) keeps the host's
// value. s.mu is held.
func (s *ParamStore) readBack() error {
	if s.dev.eng == nil {
		return nil // no run yet: the host holds everything
	}
	c := devCall{op: "ReadBack", eng: s.dev.eng, ctx: s.dev.eng.Context()}
	for i, p := range s.params {
		b := &s.dev.bufs[i]
		if b.p == 0 || p.data {
			continue
		}
		if !b.stale && !s.dev.reload {
			if err := c.download(p.host, b.p); err != nil {
				return err
			}
		}
		if b.mstale {
			continue
		}
		n := p.host.Size()
		if p.m == nil {
			p.m, p.v = newSlice(s.dtype, n), newSlice(s.dtype, n)
		}
		for _, mv := range []struct {
			host any
			dev  cu.DevicePtr
		}{{p.m, b.m}, {p.v, b.v}} {
			if err := c.download(tensor.New(tensor.WithShape(n), tensor.WithBacking(mv.host)), mv.dev); err != nil {
				return err
			}
		}
	}
	return nil
}

// momentsSet marks parameter i's device moments stale: the next use
// uploads the host's. s.mu is held.
func (s *ParamStore) momentsSet(i int) {
	if i < len(s.dev.bufs) {
		s.dev.bufs[i].mstale = true
	}
}

// uploadMoments copies parameter i's host moments into its device buffers
// (zeros where the host has none). s.mu is held.
func (s *ParamStore) uploadMoments(c devCall, i int) error {
	p, b := s.params[i], &s.dev.bufs[i]
	if p.m == nil {
		return nil // the buffers start zeroed (alloc)
	}
	n := p.host.Size()
	for _, mv := range []struct {
		host any
		dev  cu.DevicePtr
	}{{p.m, b.m}, {p.v, b.v}} {
		if err := c.upload(mv.dev, tensor.New(tensor.WithShape(n), tensor.WithBacking(mv.host))); err != nil {
			return err
		}
	}
	return nil
}

func newSlice(dt tensor.Dtype, n int) any {
	if dt == tensor.Float32 {
		return make([]float32, n)
	}
	return make([]float64, n)
}
