package vecmath

import "math"

// Adam applies one Adam update to the parameters w and their moments m
// and v from the gradient g (all of len(g)): for each i,
//
//	m = b1·m + (1-b1)·g;  v = b2·v + (1-b2)·g·g;  w = w - step·m / (√v·rbc2 + eps)
//
// with step the rate over the first moment's bias correction and rbc2 one
// over the square root of the second's (train.Adam). Each operation is
// rounded to T in that order, in both builds: the OpenBLAS build's C
// kernel for float32 contracts nothing into fused multiply-adds, and a
// correctly rounded √ in float32 is the float64 one rounded, so it gives
// the pure-Go loop's numbers, bit for bit (TestAdamMatchesGo), only
// faster (vectorised).
func Adam[T ~float32 | ~float64](w, m, v, g []T, b1, b2, step, rbc2, eps T) {
	if w32, ok := any(w).([]float32); ok {
		adam32(w32, any(m).([]float32), any(v).([]float32), any(g).([]float32), float32(b1), float32(b2), float32(step), float32(rbc2), float32(eps))
		return
	}
	adamGo(w, m, v, g, b1, b2, step, rbc2, eps)
}

// adamGo is Adam's loop in Go: the reference, and the kernel of the
// pure-Go build and of float64.
func adamGo[T ~float32 | ~float64](w, m, v, g []T, b1, b2, step, rbc2, eps T) {
	w, m, v = w[:len(g)], m[:len(g)], v[:len(g)]
	for j, gj := range g {
		m[j] = b1*m[j] + (1-b1)*gj
		v[j] = b2*v[j] + (1-b2)*gj*gj
		w[j] -= step * m[j] / (T(math.Sqrt(float64(v[j])))*rbc2 + eps)
	}
}
