package nodes

import (
	"math"
	"math/bits"
)

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC 2011): a counter-based generator, so element i of a draw is a pure
// function of (key, counter) and the GPU and the CPU compute the same
// numbers in any order. nodes/kernels/bbb.cu has the same code in CUDA C.

const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// philox4x32 returns the 10-round Philox block of counter c under key k.
func philox4x32(c [4]uint32, k [2]uint32) [4]uint32 {
	a, b, d, e := philoxBlock(c[0], c[1], c[2], c[3], k[0], k[1])
	return [4]uint32{a, b, d, e}
}

// philoxBlock is philox4x32 on words (the form the fill loops inline).
func philoxBlock(c0, c1, c2, c3, k0, k1 uint32) (uint32, uint32, uint32, uint32) {
	for r := 0; r < 10; r++ {
		hi0, lo0 := bits.Mul32(philoxM0, c0)
		hi1, lo1 := bits.Mul32(philoxM1, c2)
		c0, c1, c2, c3 = hi1^c1^k0, lo1, hi0^c3^k1, lo0
		k0 += philoxW0
		k1 += philoxW1
	}
	return c0, c1, c2, c3
}

// philoxKey is the key of stream (seed, stream).
func philoxKey(seed, stream uint64) (k0, k1 uint32) {
	return uint32(seed), uint32(seed>>32) ^ uint32(stream)
}

// NormalAt is standard-normal number i of the stream (seed, stream) at
// step. One Philox block, counter (i/4, step), key (seed, stream), gives
// the 32-bit words of elements 4(i/4) .. 4(i/4)+3; element i's word is
// turned into a normal by the ziggurat (zigFast, zigSlow). It is what the
// CUDA build's epsilon kernel computes for element i (step < 2^56).
func NormalAt(seed, stream, step, i uint64) float64 {
	var d [1]float64
	fillNormals(d[:], seed, stream, step, i)
	return d[0]
}

// zigFast is the ziggurat's draw from one 32-bit word w: layer w&127 and a
// 25-bit signed j = w>>7 (arithmetic), x = j*zigW[layer], accepted at once
// when |j| < zigK[layer] (98.8 % of words; the rest go to zigSlow).
func zigFast(w uint32) (float64, bool) {
	j := int32(w) >> 7
	iz := w & 127
	return float64(j) * zigW[iz], absJ(j) < zigK[iz]
}

func absJ(j int32) uint32 { return uint32(max(j, -j)) }

// zigR is the ziggurat's base-strip edge; past it lies the tail.
const zigR = 3.442619855899

// zigSlow finishes Marsaglia and Tsang's algorithm for element i's word w,
// which zigFast did not accept: the tail (layer 0) or the wedge test
// (others), and after a wedge rejection a fresh word. Its uniforms come
// from extra Philox blocks of element i, counter (i, 2^31 | i>>32, step,
// step>>32 ^ k<<24) for k = 0, 1, ...: the top bit of the counter's second
// word keeps them apart from the main blocks (whose block index i/4 <
// 2^62), k from each other while step < 2^56. Each block gives a tail try
// (words 0, 1) or a wedge test (word 0) and a fresh word (word 2).
func zigSlow(w, k0, k1 uint32, step, i uint64) float64 {
	const u32 = 0x1p-32
	j, iz := int32(w)>>7, w&127
	x := float64(j) * zigW[iz]
	for k := uint32(0); ; k++ {
		w0, w1, w2, _ := philoxBlock(uint32(i), uint32(i>>32)|1<<31, uint32(step), uint32(step>>32)^k<<24, k0, k1)
		if iz == 0 {
			t := -math.Log((float64(w0)+0.5)*u32) / zigR
			y := -math.Log((float64(w1) + 0.5) * u32)
			if y+y >= t*t {
				if j > 0 {
					return zigR + t
				}
				return -zigR - t
			}
			continue
		}
		if zigF[iz]+(float64(w0)+0.5)*u32*(zigF[iz-1]-zigF[iz]) < math.Exp(-0.5*x*x) {
			return x
		}
		j, iz = int32(w2)>>7, w2&127
		x = float64(j) * zigW[iz]
		if absJ(j) < zigK[iz] {
			return x
		}
	}
}

// fillNormals writes NormalAt(seed, stream, step, off+i) into d[i]: one
// Philox block (inlined here) per four elements, two blocks at a time
// (each round waits on the one before, so two independent blocks keep the
// multiplier busy). Words of a block outside [off, off+len(d)) are unused.
func fillNormals[T float32 | float64](d []T, seed, stream, step, off uint64) {
	if len(d) == 0 {
		return
	}
	k0, k1 := philoxKey(seed, stream)
	s0, s1 := uint32(step), uint32(step>>32)
	end := off + uint64(len(d))
	for g := off >> 2; g<<2 < end; g += 2 {
		a0, a1, a2, a3 := uint32(g), uint32(g>>32), s0, s1
		b0, b1, b2, b3 := uint32(g+1), uint32((g+1)>>32), s0, s1
		r0, r1 := k0, k1
		for r := 0; r < 10; r++ {
			ahi0, alo0 := bits.Mul32(philoxM0, a0)
			ahi1, alo1 := bits.Mul32(philoxM1, a2)
			bhi0, blo0 := bits.Mul32(philoxM0, b0)
			bhi1, blo1 := bits.Mul32(philoxM1, b2)
			a0, a1, a2, a3 = ahi1^a1^r0, alo1, ahi0^a3^r1, alo0
			b0, b1, b2, b3 = bhi1^b1^r0, blo1, bhi0^b3^r1, blo0
			r0 += philoxW0
			r1 += philoxW1
		}
		for q, w := range [8]uint32{a0, a1, a2, a3, b0, b1, b2, b3} {
			e := g<<2 + uint64(q)
			if e < off || e >= end {
				continue
			}
			x, ok := zigFast(w)
			if !ok {
				x = zigSlow(w, k0, k1, step, e)
			}
			d[e-off] = T(x)
		}
	}
}
