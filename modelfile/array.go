package modelfile

import "github.com/bbb-go/bbb/internal/npz"

// Array is one array of a model file: Data holds []float32, []float64,
// []int64 or []uint8 values, Shape its dimensions (nil: a scalar).
type Array struct {
	Shape []int
	Data  any
}

// Len is the number of values.
func (a Array) Len() int { return npz.Array(a).Len() }

// Floats returns a floating-point array's values as float64 (nil for
// other types).
func (a Array) Floats() []float64 { return npz.Array(a).Floats() }

func toNpz(m map[string]Array) map[string]npz.Array {
	out := make(map[string]npz.Array, len(m))
	for k, v := range m {
		out[k] = npz.Array(v)
	}
	return out
}

func fromNpz(m map[string]npz.Array) map[string]Array {
	out := make(map[string]Array, len(m))
	for k, v := range m {
		out[k] = Array(v)
	}
	return out
}
