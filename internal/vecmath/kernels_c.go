//go:build openblas

package vecmath

/*
#cgo CFLAGS: -O3
#cgo LDFLAGS: -lm
// Selects (a < b ? c : d) on floats become vector blends only when GCC may
// assume no FP traps; the kernels raise none that matter (no flags read).
#pragma GCC optimize("no-trapping-math")
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <immintrin.h>

// e^x for x <= 0 (every use here: e^-|t|), 0 below -87.33 (where e^x is
// subnormal). Cephes expf: x = n·ln2 + r, a degree-5 polynomial in r.
static inline float exp_neg(float x) {
	float xc = x < -87.33654f ? -87.33654f : x;
	float z = xc * 1.44269504088896341f;
	float fn = (z + 12582912.0f) - 12582912.0f; // round to nearest
	float r = xc - fn * 0.693359375f + fn * 2.12194440e-4f;
	float p = 1.9875691500e-4f;
	p = p * r + 1.3981999507e-3f;
	p = p * r + 8.3334519073e-3f;
	p = p * r + 4.1665795894e-2f;
	p = p * r + 1.6666665459e-1f;
	p = p * r + 5.0000001201e-1f;
	float e = p * r * r + r + 1.0f;
	int32_t bits = ((int32_t)fn + 127) << 23;
	float scale;
	memcpy(&scale, &bits, 4);
	e *= scale;
	return x < -87.33654f ? 0.0f : e;
}

// log(u) for u in [1, 2] (every use here: 1 + e^-|t|), Cephes logf.
static inline float log_1to2(float u) {
	int32_t bits;
	memcpy(&bits, &u, 4);
	float fe = (float)((bits >> 23) - 126);
	int32_t mb = (bits & 0x807fffff) | 0x3f000000; // u = m·2^e, m in [0.5, 1)
	float m;
	memcpy(&m, &mb, 4);
	int small = m < 0.707106781186547524f;
	fe = small ? fe - 1.0f : fe;
	m = small ? m + m - 1.0f : m - 1.0f;
	float z = m * m;
	float y = 7.0376836292e-2f;
	y = y * m - 1.1514610310e-1f;
	y = y * m + 1.1676998740e-1f;
	y = y * m - 1.2420140846e-1f;
	y = y * m + 1.4249322787e-1f;
	y = y * m - 1.6668057665e-1f;
	y = y * m + 2.0000714765e-1f;
	y = y * m - 2.4999993993e-1f;
	y = y * m + 3.3333331174e-1f;
	y *= m * z;
	y += -2.12194440e-4f * fe;
	y += -0.5f * z;
	return m + y + 0.693359375f * fe;
}

// log(1 + x) for x in [0, 1]: log of u = 1 + x, plus the rounding of u.
static inline float log1p_01(float x) {
	float u = 1.0f + x;
	return log_1to2(u) + (x - (u - 1.0f)) / u;
}

// log(s) for any normal s > 0 (Cephes logf on s's mantissa).
static inline float log_pos(float s) {
	int32_t bits;
	memcpy(&bits, &s, 4);
	float fe = (float)((bits >> 23) - 127);
	int32_t mb = (bits & 0x807fffff) | 0x3f800000; // s = m·2^fe, m in [1, 2)
	float m;
	memcpy(&m, &mb, 4);
	return log_1to2(m) + 0.69314718055994531f * fe;
}

static inline float softplus1(float x) {
	float ax = x < 0 ? -x : x;
	float pos = x > 0 ? x : 0.0f;
	return pos + log1p_01(exp_neg(-ax));
}

static inline float sigmoid1(float x) {
	float ax = x < 0 ? -x : x;
	float e = exp_neg(-ax);
	float inv = 1.0f / (1.0f + e);
	return x >= 0 ? inv : e * inv;
}

#define CLONES __attribute__((target_clones("avx2", "default")))

CLONES void vm_softplus(float *restrict out, const float *restrict x, long n) {
	for (long i = 0; i < n; i++) out[i] = softplus1(x[i]);
}

CLONES void vm_sigmoid_mul(float *restrict out, const float *restrict x, const float *restrict g, long n) {
	for (long i = 0; i < n; i++) out[i] = sigmoid1(x[i]) * g[i];
}

CLONES void vm_mixture_logprob(float *restrict out, const float *restrict w, long n, float c1, float c2, float iv1, float iv2) {
	for (long i = 0; i < n; i++) {
		float w2 = w[i] * w[i];
		float a1 = c1 - 0.5f * w2 * iv1, a2 = c2 - 0.5f * w2 * iv2;
		float hi = a1 > a2 ? a1 : a2, d = a1 > a2 ? a2 - a1 : a1 - a2;
		out[i] = hi + log1p_01(exp_neg(d));
	}
}

CLONES void vm_mixture_dz(float *restrict out, const float *restrict w, const float *restrict g, long n, float c1, float c2, float iv1, float iv2) {
	for (long i = 0; i < n; i++) {
		float w2 = w[i] * w[i];
		float r2 = sigmoid1((c2 - 0.5f * w2 * iv2) - (c1 - 0.5f * w2 * iv1));
		out[i] = -w[i] * ((1.0f - r2) * iv1 + r2 * iv2) * g[i];
	}
}

CLONES void vm_normal_logprob(float *restrict out, const float *restrict z, const float *restrict mu, const float *restrict s, long n) {
	for (long i = 0; i < n; i++) {
		float r = (z[i] - mu[i]) / s[i];
		out[i] = -0.5f * r * r - log_pos(s[i]) - 0.91893853320467274f;
	}
}

// Adam's update (vecmath.Adam), each operation rounded as Go's loop rounds
// it: 8 floats at a time with AVX where the CPU has it (written with
// intrinsics: GCC vectorises no sqrtf while errno may be set, and cgo
// takes no -fno-math-errno; AVX has no fused multiply-add to contract
// into), the rest one at a time.
__attribute__((optimize("fp-contract=off")))
static void adam_scalar(float *w, float *m, float *v, const float *g, long n, float b1, float b2, float step, float rbc2, float eps) {
	float c1 = 1.0f - b1, c2 = 1.0f - b2;
	for (long i = 0; i < n; i++) {
		float gi = g[i];
		float mi = b1 * m[i] + c1 * gi;
		float vi = b2 * v[i] + c2 * gi * gi;
		m[i] = mi;
		v[i] = vi;
		w[i] = w[i] - step * mi / (sqrtf(vi) * rbc2 + eps);
	}
}

__attribute__((target("avx"), optimize("fp-contract=off")))
static long adam_avx(float *w, float *m, float *v, const float *g, long n, float b1, float b2, float step, float rbc2, float eps) {
	__m256 vb1 = _mm256_set1_ps(b1), vc1 = _mm256_set1_ps(1.0f - b1);
	__m256 vb2 = _mm256_set1_ps(b2), vc2 = _mm256_set1_ps(1.0f - b2);
	__m256 vstep = _mm256_set1_ps(step), vr = _mm256_set1_ps(rbc2), veps = _mm256_set1_ps(eps);
	long i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 gi = _mm256_loadu_ps(g + i);
		__m256 mi = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(vc1, gi));
		__m256 vi = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(vc2, gi), gi));
		_mm256_storeu_ps(m + i, mi);
		_mm256_storeu_ps(v + i, vi);
		__m256 den = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), vr), veps);
		_mm256_storeu_ps(w + i, _mm256_sub_ps(_mm256_loadu_ps(w + i), _mm256_div_ps(_mm256_mul_ps(vstep, mi), den)));
	}
	return i;
}

void vm_adam(float *w, float *m, float *v, const float *g, long n, float b1, float b2, float step, float rbc2, float eps) {
	long done = __builtin_cpu_supports("avx") ? adam_avx(w, m, v, g, n, b1, b2, step, rbc2, eps) : 0;
	adam_scalar(w + done, m + done, v + done, g + done, n - done, b1, b2, step, rbc2, eps);
}
*/
import "C"

import "unsafe"

// Backend names the kernels: "c" (vectorised C, see the package doc).
const Backend = "c"

// Below this many elements the cgo call (~50 ns) costs more than Go's loop.
const minC = 64

func p(s []float32) *C.float { return (*C.float)(unsafe.Pointer(unsafe.SliceData(s))) }

func softplus(out, x []float32) {
	if len(x) < minC {
		softplusGo(out, x)
		return
	}
	_ = out[len(x)-1]
	C.vm_softplus(p(out), p(x), C.long(len(x)))
}

func sigmoidMul(out, x, g []float32) {
	if len(x) < minC {
		sigmoidMulGo(out, x, g)
		return
	}
	_, _ = out[len(x)-1], g[len(x)-1]
	C.vm_sigmoid_mul(p(out), p(x), p(g), C.long(len(x)))
}

func mixtureLogProb(m Mixture, out, z []float32) {
	if len(z) < minC {
		mixtureLogProbGo(m, out, z)
		return
	}
	_ = out[len(z)-1]
	C.vm_mixture_logprob(p(out), p(z), C.long(len(z)), C.float(m.C1), C.float(m.C2), C.float(m.IV1), C.float(m.IV2))
}

func mixtureDz(m Mixture, out, z, g []float32) {
	if len(z) < minC {
		mixtureDzGo(m, out, z, g)
		return
	}
	_, _ = out[len(z)-1], g[len(z)-1]
	C.vm_mixture_dz(p(out), p(z), p(g), C.long(len(z)), C.float(m.C1), C.float(m.C2), C.float(m.IV1), C.float(m.IV2))
}

func normalLogProb(out, z, mu, s []float32) {
	if len(z) < minC {
		normalLogProbGo(out, z, mu, s)
		return
	}
	_, _, _ = out[len(z)-1], mu[len(z)-1], s[len(z)-1]
	C.vm_normal_logprob(p(out), p(z), p(mu), p(s), C.long(len(z)))
}

func adam32(w, m, v, g []float32, b1, b2, step, rbc2, eps float32) {
	if len(g) < minC {
		adamGo(w, m, v, g, b1, b2, step, rbc2, eps)
		return
	}
	_, _, _ = w[len(g)-1], m[len(g)-1], v[len(g)-1]
	C.vm_adam(p(w), p(m), p(v), p(g), C.long(len(g)), C.float(b1), C.float(b2), C.float(step), C.float(rbc2), C.float(eps))
}
