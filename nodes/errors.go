package nodes

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
)

// ErrShape reports inputs whose shapes do not fit together.
var ErrShape = errors.New("nodes: shape mismatch")

// ErrDtype reports inputs of different or unsupported dtypes.
var ErrDtype = errors.New("nodes: dtype mismatch")

func sameShape(what string, a, b *G.Node) error {
	if !a.Shape().Eq(b.Shape()) {
		return fmt.Errorf("%w: %s: %v vs %v", ErrShape, what, a.Shape(), b.Shape())
	}
	return nil
}

func sameDtype(what string, ns ...*G.Node) error {
	dt := ns[0].Dtype()
	if dt != G.Float32 && dt != G.Float64 {
		return fmt.Errorf("%w: %s: %v is neither float32 nor float64", ErrDtype, what, dt)
	}
	for _, n := range ns[1:] {
		if n.Dtype() != dt {
			return fmt.Errorf("%w: %s: %v vs %v", ErrDtype, what, dt, n.Dtype())
		}
	}
	return nil
}
