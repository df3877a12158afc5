//go:build cuda

package nodes

import G "gorgonia.org/gorgonia"

func (op *softmaxDrawsOp) CUDADo(extern G.External, dev G.Device, prealloc G.Value, in ...G.Value) (G.Value, error) {
	c, err := device(op.name, extern, dev)
	if err != nil {
		return nil, err
	}
	if err := needPrealloc(op.name, prealloc); err != nil {
		return nil, err
	}
	s := in[0].Shape()
	return prealloc, c.elementwise("bbb_softmax_draws", prealloc.Dtype(), s[1]*s[2], devPtr(prealloc), devPtr(in[0]),
		i64(s[0]), i64(s[1]), i64(s[2]))
}
