//go:build cuda

package nodes

import G "gorgonia.org/gorgonia"

// CUDADo runs the kind's kernel, kernel(out, in..., n), over same-size
// inputs (nodes/kernels/bbb.cu, "local reparameterisation").
func (op *mapOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	return launchElementwise(op.name, op.kind.kernel, extern, dev, prealloc, in, op.kind.arity)
}
