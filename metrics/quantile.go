package metrics

import (
	"math"
	"slices"
)

// Quantile returns the q-quantile of sorted values by linear interpolation
// between order statistics (numpy's default, used by the seed), NaN for no
// values: bands made here and by numpy agree to the last digit.
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// SelectQuantile is Quantile(sorted(v), q), by selection instead of a
// sort (v is reordered): the same order statistics, in linear time, for
// the many short columns of a predictive sample. v must not be empty.
func SelectQuantile(v []float64, q float64) float64 {
	h := q * float64(len(v)-1)
	lo := int(math.Floor(h))
	a := selectK(v, lo)
	if lo >= len(v)-1 {
		return a
	}
	b := slices.Min(v[lo+1:]) // selectK left everything after lo >= a
	return a + (h-float64(lo))*(b-a)
}

// selectK reorders v so that v[k] is the k-th smallest, v[:k] <= v[k] <=
// v[k+1:] (Hoare's quickselect, median-of-three pivots), and returns v[k].
func selectK(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		p := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		// (ifs, not a switch: a case line is in no block of Go's coverage
		// profile, so gremlins could not mutate it.)
		if k <= j {
			hi = j
			continue
		}
		if k >= i {
			lo = i
			continue
		}
		return v[k]
	}
	return v[k]
}
