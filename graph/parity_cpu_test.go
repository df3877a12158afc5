//go:build !cuda

package graph

import "gorgonia.org/tensor"

// On the CPU: the fused and the stock graph, at both dtypes.
func parityVariants() []parityVariant {
	return []parityVariant{
		{"fused-float64", tensor.Float64, false},
		{"fused-float32", tensor.Float32, false},
		{"stock-float64", tensor.Float64, true},
		{"stock-float32", tensor.Float32, true},
	}
}
