package nodes

import (
	"math"
	"testing"
)

// Known-answer tests from Random123's kat_vectors (philox4x32_10).
func TestPhiloxKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		c    [4]uint32
		k    [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := philox4x32(tc.c, tc.k); got != tc.want {
			t.Errorf("philox4x32(%x, %x) = %x, want %x", tc.c, tc.k, got, tc.want)
		}
	}
}

// The normals have mean 0, variance 1 and no correlation between
// neighbours, steps or streams (within 5 standard errors of 200000 draws).
func TestNormalAtMoments(t *testing.T) {
	const n = 200000
	var s, ss, lag, step, stream float64
	prev := NormalAt(7, 3, 1, 0)
	for i := uint64(0); i < n; i++ {
		z := NormalAt(7, 3, 1, i)
		s += z
		ss += z * z
		if i > 0 {
			lag += z * prev
		}
		prev = z
		step += z * NormalAt(7, 3, 2, i)
		stream += z * NormalAt(7, 4, 1, i)
	}
	se := 5 / math.Sqrt(n)
	if m := s / n; !(math.Abs(m) <= se) {
		t.Errorf("mean %v", m)
	}
	if v := ss / n; !(math.Abs(v-1) <= 5*math.Sqrt(2.0/n)) {
		t.Errorf("variance %v", v)
	}
	for name, c := range map[string]float64{"lag-1": lag / n, "step": step / n, "stream": stream / n} {
		if !(math.Abs(c) <= se) {
			t.Errorf("%s correlation %v", name, c)
		}
	}
	if NormalAt(1, 0, 0, 5) == NormalAt(2, 0, 0, 5) {
		t.Error("the seed does not change the draw")
	}
}

// NormalAt's layout: the element index and the step fill the counter's
// low and high words, the seed the key, the stream is mixed into the key's
// high word; Box-Muller on the first two words (as the CUDA kernel does).
// Large values, so that every high word matters.
func TestNormalAtLayout(t *testing.T) {
	for _, tc := range []struct{ seed, stream, step, i uint64 }{
		{0x0123456789abcdef, 5, 0x0000000300000007, 0x0000000200000009},
		{1, 0, 0, 0}, {7, 3, 1 << 40, 1 << 33},
	} {
		c := philox4x32([4]uint32{uint32(tc.i), uint32(tc.i >> 32), uint32(tc.step), uint32(tc.step >> 32)},
			[2]uint32{uint32(tc.seed), uint32(tc.seed>>32) ^ uint32(tc.stream)})
		u1 := (float64(c[0]) + 1) / 4294967296
		u2 := float64(c[1]) / 4294967296
		want := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
		if got := NormalAt(tc.seed, tc.stream, tc.step, tc.i); got != want {
			t.Errorf("NormalAt(%#x, %d, %#x, %#x) = %v, want %v", tc.seed, tc.stream, tc.step, tc.i, got, want)
		}
		for _, other := range []float64{
			NormalAt(tc.seed^1<<40, tc.stream, tc.step, tc.i), NormalAt(tc.seed, tc.stream, tc.step^1<<40, tc.i),
			NormalAt(tc.seed, tc.stream, tc.step, tc.i^1<<40), NormalAt(tc.seed, tc.stream^1, tc.step, tc.i),
		} {
			if other == want {
				t.Errorf("%+v: a high word or the stream does not change the draw", tc)
			}
		}
	}
}
