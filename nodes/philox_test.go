package nodes

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
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

// refNormal is the generator restated plainly: Marsaglia and Tsang's RNOR
// on a word stream, with the words of element i taken as NormalAt's doc
// says (its main block's word, then the words of its extra blocks).
func refNormal(seed, stream, step, i uint64) (z float64, slow bool) {
	k := [2]uint32{uint32(seed), uint32(seed>>32) ^ uint32(stream)}
	g := i / 4
	w := philox4x32([4]uint32{uint32(g), uint32(g >> 32), uint32(step), uint32(step >> 32)}, k)[i%4]
	layer := func(w uint32) (int32, int, float64) {
		j := int32(w) >> 7
		return j, int(w % 128), float64(j) * zigW[w%128]
	}
	j, iz, x := layer(w)
	if math.Abs(float64(j)) < float64(zigK[iz]) {
		return x, false
	}
	uni := func(w uint32) float64 { return (float64(w) + 0.5) / 4294967296 }
	for extra := uint32(0); ; extra++ {
		b := philox4x32([4]uint32{uint32(i), uint32(i>>32) + 1<<31, uint32(step), uint32(step>>32) ^ extra<<24}, k)
		if iz == 0 {
			t, y := -math.Log(uni(b[0]))/zigR, -math.Log(uni(b[1]))
			if 2*y >= t*t {
				return math.Copysign(zigR+t, float64(j)-0.5), true
			}
			continue
		}
		if zigF[iz]+uni(b[0])*(zigF[iz-1]-zigF[iz]) < math.Exp(-x*x/2) {
			return x, true
		}
		if j, iz, x = layer(b[2]); math.Abs(float64(j)) < float64(zigK[iz]) {
			return x, true
		}
	}
}

// NormalAt, FillNoise and FillNoiseAt agree with the plain restatement on
// every element of 2^17 (about 1600 through the slow path, tails and
// wedges), bit for bit, with large seeds, steps and indices so that every
// high word matters.
func TestNormalAtReference(t *testing.T) {
	var slow, tails int
	for _, tc := range []struct{ seed, stream, step, off uint64 }{
		{7, 3, 1, 0}, {0x0123456789abcdef, 5, 0x0000000300000007, 0x0000000500000009}, // (block index past 2^32)
	} {
		const n = 1 << 16
		got64 := make([]float64, n)
		FillNoiseAt(got64, tc.seed, tc.stream, tc.step, tc.off)
		got32 := make([]float32, n)
		FillNoiseAt(got32, tc.seed, tc.stream, tc.step, tc.off)
		for k := range got64 {
			want, s := refNormal(tc.seed, tc.stream, tc.step, tc.off+uint64(k))
			if s {
				slow++
				if math.Abs(want) > zigR {
					tails++
				}
			}
			if got64[k] != want || got32[k] != float32(want) {
				t.Fatalf("%+v element %d: fill %v (float32 %v), reference %v", tc, k, got64[k], got32[k], want)
			}
			if k%997 == 0 {
				if at := NormalAt(tc.seed, tc.stream, tc.step, tc.off+uint64(k)); at != want {
					t.Fatalf("%+v: NormalAt %d = %v, reference %v", tc, k, at, want)
				}
			}
		}
	}
	if slow < 1000 || tails < 30 {
		t.Errorf("%d slow-path draws, %d in the tails: the slow path is not exercised", slow, tails)
	}
	// Each input matters.
	base := NormalAt(7, 3, 1<<40, 1<<33)
	for _, other := range []float64{NormalAt(7^1<<40, 3, 1<<40, 1<<33), NormalAt(7, 2, 1<<40, 1<<33),
		NormalAt(7, 3, 1<<41, 1<<33), NormalAt(7, 3, 1<<40, 1<<34)} {
		if other == base {
			t.Error("a high word or the stream does not change the draw")
		}
	}
}

// Every length and offset around the block boundaries fills the elements
// NormalAt gives, and nothing outside dst.
func TestFillNoiseEveryLengthAndOffset(t *testing.T) {
	for off := uint64(0); off < 10; off++ {
		for n := 0; n < 21; n++ {
			buf := make([]float64, n+2)
			for k := range buf {
				buf[k] = math.NaN()
			}
			FillNoiseAt(buf[1:n+1], 9, 1, 4, off)
			for k := 0; k < n; k++ {
				if want := NormalAt(9, 1, 4, off+uint64(k)); buf[k+1] != want {
					t.Fatalf("off %d, n %d: element %d = %v, want %v", off, n, k, buf[k+1], want)
				}
			}
			if !math.IsNaN(buf[0]) || !math.IsNaN(buf[n+1]) {
				t.Fatalf("off %d, n %d: wrote outside dst", off, n)
			}
		}
	}
	d := []float32{1, 2, 3}
	FillNoise(d, 9, 1, 4)
	for k := range d {
		if d[k] != float32(NormalAt(9, 1, 4, uint64(k))) {
			t.Errorf("FillNoise float32 element %d", k)
		}
	}
}

// zigFast accepts exactly |j| < zigK[layer], for either sign, at the
// boundary words.
func TestZigFastBoundary(t *testing.T) {
	word := func(j int32, iz uint32) uint32 { return uint32(j)<<7 | iz }
	for _, iz := range []uint32{0, 1, 5, 127} {
		k := int32(zigK[iz])
		for _, tc := range []struct {
			j  int32
			ok bool
		}{{k - 1, k > 0}, {k, false}, {-k + 1, k > 0}, {-k, false}, {0, k > 0}, {-1 << 24, false}, {1<<24 - 1, false}} {
			x, ok := zigFast(word(tc.j, iz))
			if ok != tc.ok || x != float64(tc.j)*zigW[iz] {
				t.Errorf("layer %d, j %d: zigFast = %v, %v; want %v, %v", iz, tc.j, x, ok, float64(tc.j)*zigW[iz], tc.ok)
			}
		}
	}
}

// The tables are Marsaglia and Tsang's for 128 layers and a 25-bit j,
// and nodes/kernels/bbb.cu holds the same numbers (the GPU's draws).
func TestZigguratTables(t *testing.T) {
	const r, v, m = 3.442619855899, 9.91256303526217e-3, 1 << 24
	var kn [128]uint32
	var wn, fn [128]float64
	dn, tn := r, r
	q := v / math.Exp(-0.5*dn*dn)
	kn[0], wn[0], wn[127], fn[0], fn[127] = uint32(dn/q*m), q/m, dn/m, 1, math.Exp(-0.5*dn*dn)
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(v/dn+math.Exp(-0.5*dn*dn)))
		kn[i+1] = uint32(dn / tn * m)
		tn = dn
		fn[i], wn[i] = math.Exp(-0.5*dn*dn), dn/m
	}
	if kn != zigK || wn != zigW || fn != zigF {
		t.Error("zigK, zigW or zigF is not the ziggurat's")
	}
	if zigR != r {
		t.Errorf("zigR %v, tables built for %v", zigR, r)
	}
	src, err := os.ReadFile(filepath.Join("kernels", "bbb.cu"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]float64{"ZIG_K": u32s(zigK[:]), "ZIG_W": zigW[:], "ZIG_F": zigF[:]} {
		re := regexp.MustCompile(`(?s)` + name + `\[128\] = \{(.*?)\};`)
		m := re.FindSubmatch(src)
		if m == nil {
			t.Fatalf("bbb.cu: no %s[128] table", name)
		}
		var got []float64
		for _, f := range strings.FieldsFunc(string(m[1]), func(c rune) bool { return c == ',' || unicode.IsSpace(c) }) {
			x, err := strconv.ParseFloat(f, 64)
			if strings.HasPrefix(f, "0x") {
				var u uint64
				u, err = strconv.ParseUint(f[2:], 16, 32)
				x = float64(u)
			}
			if err != nil {
				t.Fatalf("bbb.cu %s: %q: %v", name, f, err)
			}
			got = append(got, x)
		}
		if !slices.Equal(got, want) {
			t.Errorf("bbb.cu %s differs from the Go table", name)
		}
	}
	if !strings.Contains(string(src), fmt.Sprintf("#define ZIG_R %v\n", zigR)) {
		t.Error("bbb.cu: ZIG_R is not zigR")
	}
}

func u32s(a []uint32) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = float64(v)
	}
	return out
}

// The draws are standard normal: a Kolmogorov-Smirnov distance under the
// 0.1 % critical value over 2^18 draws, and the tail past the ziggurat's
// base strip as often as the normal's (within 5 standard errors).
func TestNormalAtDistribution(t *testing.T) {
	const n = 1 << 18
	d := make([]float64, n)
	FillNoise(d, 3, 1, 2)
	slices.Sort(d)
	var ks float64
	var tail int
	for k, x := range d {
		c := 0.5 * math.Erfc(-x/math.Sqrt2)
		ks = max(ks, math.Abs(c-float64(k)/n), math.Abs(c-float64(k+1)/n))
		if math.Abs(x) > zigR {
			tail++
		}
	}
	if crit := 1.95 / math.Sqrt(n); !(ks < crit) {
		t.Errorf("KS distance %v over %v", ks, crit)
	}
	p := math.Erfc(zigR / math.Sqrt2)
	if se := math.Sqrt(n * p); math.Abs(float64(tail)-n*p) > 5*se {
		t.Errorf("%d draws past ±%v, expected %.0f ± %.0f", tail, zigR, n*p, se)
	}
}
