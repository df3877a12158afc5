//go:build cuda

package nodes

import (
	"fmt"

	"gorgonia.org/cu"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// deviceLoss is a lossKernel with CUDA kernels: what a residentLossOp
// (resident_lik.go) launches. in holds the op's inputs (y first), and for
// a gradient the upstream scalar g last.
type deviceLoss interface {
	// devValue writes the log-likelihood into the scalar out.
	devValue(c devCall, out G.Value, in []G.Value) error
	// devGrad writes g · ∂value/∂in[which] into out.
	devGrad(c devCall, out G.Value, in []G.Value, which int) error
}

func (op residentLossOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, k, err := lossDevice(op.name, op.k, extern, dev, prealloc, in, len(op.dims))
	if err != nil {
		return nil, err
	}
	return prealloc, k.devValue(c, prealloc, in)
}

func (op residentLossGradOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, k, err := lossDevice(op.name, op.k, extern, dev, prealloc, in, len(op.dims)+1)
	if err != nil {
		return nil, err
	}
	return prealloc, k.devGrad(c, prealloc, in, op.which)
}

// lossDevice checks a loss op's call and returns its machine and kernels.
func lossDevice(name string, lk lossKernel, extern G.External, dev G.Device, prealloc G.Value, in []G.Value, arity int) (devCall, deviceLoss, error) {
	c, err := device(name, extern, dev)
	if err != nil {
		return devCall{}, nil, err
	}
	if err := needPrealloc(name, prealloc); err != nil {
		return devCall{}, nil, err
	}
	if len(in) != arity {
		return devCall{}, nil, fmt.Errorf("nodes: %s: want %d inputs, got %d", name, arity, len(in))
	}
	k, ok := lk.(deviceLoss)
	if !ok {
		return devCall{}, nil, fmt.Errorf("nodes: %s: no CUDA kernel for %T", name, lk)
	}
	return c, k, nil
}

// partialSums launches kernel, which writes one partial sum per block into
// the scratch buffer (its first argument, before args), over n items; it
// returns the buffer and the block count, for a one-block finishing kernel.
func (c devCall) partialSums(n int, kernel string, dt tensor.Dtype, args ...uint64) (cu.DevicePtr, int, error) {
	part, err := c.partials(maxPartials * 8)
	if err != nil {
		return 0, 0, err
	}
	nb := reduceBlocks(n)
	return part, nb, c.launch(kernel, dt, nb, 256, 1, append([]uint64{uint64(part)}, args...)...)
}

func (learnedRhoLL) devValue(c devCall, out G.Value, in []G.Value) error {
	n := in[0].Shape().TotalSize()
	dt := in[0].Dtype()
	part, nb, err := c.partialSums(n, "bbb_sqdiff_partial", dt, devPtr(in[0]), devPtr(in[1]), i64(n))
	if err != nil {
		return err
	}
	return c.launch("bbb_lik_learned_finish", dt, 1, 256, 1, devPtr(out), uint64(part), i64(nb), devPtr(in[2]), i64(n))
}

func (learnedRhoLL) devGrad(c devCall, out G.Value, in []G.Value, which int) error {
	n := in[0].Shape().TotalSize()
	dt := in[0].Dtype()
	y, p, rho, g := devPtr(in[0]), devPtr(in[1]), devPtr(in[2]), devPtr(in[3])
	if which == 1 {
		return c.elementwise("bbb_lik_learned_dpred", dt, n, devPtr(out), y, p, g, rho, i64(n))
	}
	part, nb, err := c.partialSums(n, "bbb_sqdiff_partial", dt, y, p, i64(n))
	if err != nil {
		return err
	}
	return c.launch("bbb_lik_learned_drho", dt, 1, 256, 1, devPtr(out), uint64(part), i64(nb), g, rho, i64(n))
}

func (h heteroLL) devValue(c devCall, out G.Value, in []G.Value) error {
	rows := in[0].Shape()[0]
	return c.sum(out, rows*h.k, 1, 0, "bbb_lik_hetero_partial", in[0].Dtype(),
		devPtr(in[0]), devPtr(in[1]), i64(rows), i64(h.k), f64(h.h.Min), f64(h.h.Shift))
}

func (h heteroLL) devGrad(c devCall, out G.Value, in []G.Value, _ int) error {
	rows := in[0].Shape()[0]
	return c.elementwise("bbb_lik_hetero_dout", in[0].Dtype(), rows*h.k, devPtr(out), devPtr(in[0]), devPtr(in[1]), devPtr(in[2]),
		i64(rows), i64(h.k), f64(h.h.Min), f64(h.h.Shift))
}

func (k categoricalLL) devValue(c devCall, out G.Value, in []G.Value) error {
	rows := in[0].Shape()[0]
	return c.sum(out, rows, 1, 0, "bbb_lik_cat_partial", in[0].Dtype(), devPtr(in[0]), devPtr(in[1]), i64(rows), i64(k.k))
}

func (k categoricalLL) devGrad(c devCall, out G.Value, in []G.Value, _ int) error {
	rows := in[0].Shape()[0]
	return c.elementwise("bbb_lik_cat_dlogits", in[0].Dtype(), rows, devPtr(out), devPtr(in[0]), devPtr(in[1]), devPtr(in[2]), i64(rows), i64(k.k))
}
