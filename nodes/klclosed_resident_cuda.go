//go:build cuda

package nodes

import G "gorgonia.org/gorgonia"

// KLClosedTerm's kernels (nodes/kernels/bbb.cu, "closed-form KL"): a
// two-pass sum like KLTerm's, and one elementwise kernel per gradient.

func (op *klClosedOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	n := in[0].Shape().TotalSize()
	return prealloc, c.sum(prealloc, n, 1, 0, klClosedKernel+"_partial", in[0].Dtype(),
		devPtr(in[0]), devPtr(in[1]), i64(n), f64(op.prior.Mu), f64(op.prior.Sigma))
}

func (op *klClosedGradOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	kernel := klClosedKernel + "_dmu"
	if op.rho {
		kernel = klClosedKernel + "_drho"
	}
	n := prealloc.Shape().TotalSize()
	return prealloc, c.elementwise(kernel, prealloc.Dtype(), n,
		devPtr(prealloc), devPtr(in[0]), devPtr(in[1]), devPtr(in[2]), i64(n), f64(op.prior.Mu), f64(op.prior.Sigma))
}
