package data

import (
	"fmt"
	"slices"
)

// FarError is an input of a table more than MaxStandardScore standard
// deviations from the mean of a model's training inputs: the network would
// only extrapolate, and its float32 sums overflow.
type FarError struct {
	Line   int     // the line of the file
	Column string  // the input column's name
	Value  float64 // the input
	Z      float64 // its standard score
}

func (e *FarError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason()) }

// Reason is the error without its line, for a caller that names the file
// and line itself.
func (e *FarError) Reason() string {
	return fmt.Sprintf("column %q: %g lies %.3g standard deviations from the mean of the model's training inputs (at most %g)",
		e.Column, e.Value, e.Z, MaxStandardScore)
}

// CheckNear returns a *FarError for the first input of t (by rows) that
// lies more than MaxStandardScore standard deviations from sc's training
// mean, or nil. A nil sc is a model without a scaler (the seed's curve):
// the inputs are compared in their own units (mean 0, standard deviation
// 1).
func CheckNear(t Table, sc *Scaler) error {
	in := len(t.XNames)
	if sc == nil {
		sc = &Scaler{XMean: make([]float64, in), XStd: slices.Repeat([]float64{1}, in), YStd: 1}
	}
	row, col, z, far := sc.Far(Split{X: t.X, Inputs: in})
	if !far {
		return nil
	}
	return &FarError{Line: t.Line(row), Column: t.XNames[col], Value: t.X[row*in+col], Z: z}
}
