package data

import "slices"

// SameScaler reports whether a and b standardise alike (every mean and
// standard deviation equal; both nil counts as alike): a run that goes on
// from a saved model must see its data in the units the model learnt
// (bbb train --resume with --data).
func SameScaler(a, b *Scaler) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.Equal(a.XMean, b.XMean) && slices.Equal(a.XStd, b.XStd) && a.YMean == b.YMean && a.YStd == b.YStd
}
