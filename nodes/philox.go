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
	for r := 0; r < 10; r++ {
		if r > 0 {
			k[0] += philoxW0
			k[1] += philoxW1
		}
		hi0, lo0 := bits.Mul32(philoxM0, c[0])
		hi1, lo1 := bits.Mul32(philoxM1, c[2])
		c = [4]uint32{hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0}
	}
	return c
}

// NormalAt is standard-normal number i of the stream (seed, stream) at
// step: Box-Muller on the first two words of one Philox block, in float64.
// It is what the CUDA build's epsilon kernel computes for element i.
func NormalAt(seed, stream, step, i uint64) float64 {
	c := philox4x32([4]uint32{uint32(i), uint32(i >> 32), uint32(step), uint32(step >> 32)},
		[2]uint32{uint32(seed), uint32(seed>>32) ^ uint32(stream)})
	const twoM32 = 1.0 / (1 << 32)
	u1 := (float64(c[0]) + 1) * twoM32 // (0, 1]
	u2 := float64(c[1]) * twoM32       // [0, 1)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}
