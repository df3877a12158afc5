// CUDA kernels of this project's resident ops (nodes/resident*.go, the CUDA
// build). `make kernels` compiles this file to PTX and registers it with
// gorgonia.AddToStdLib as module "bbb" (internal/cudalib/stdlib_gen.go), so
// every TapeMachine loads it. Each kernel has a Go reference of the same
// formula in nodes/ (the op's Do), which the CPU tests check.
//
// Every scalar parameter is 8 bytes (double, long long, pointer): Gorgonia's
// batched launcher copies 8 bytes per kernel argument.
//
// Elementwise kernels use grid-stride loops; reductions are deterministic
// (fixed block shapes, tree sums in shared memory, no atomics), so a run
// repeats bit for bit.

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define RED_THREADS 256

// philox4x32_10 is Random123's Philox4x32 with 10 rounds (nodes/philox.go).
__device__ void philox4x32_10(unsigned int c[4], unsigned int k0, unsigned int k1) {
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        unsigned int lo0 = PHILOX_M0 * c[0], hi0 = __umulhi(PHILOX_M0, c[0]);
        unsigned int lo1 = PHILOX_M1 * c[2], hi1 = __umulhi(PHILOX_M1, c[2]);
        unsigned int n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
    }
}

// normal_at is the standard normal number i of (seed, stream, step):
// Box-Muller on the first two words of one Philox block, in double.
__device__ double normal_at(unsigned long long seed, unsigned long long stream, unsigned long long step, unsigned long long i) {
    unsigned int c[4] = {(unsigned int)i, (unsigned int)(i >> 32), (unsigned int)step, (unsigned int)(step >> 32)};
    philox4x32_10(c, (unsigned int)seed, (unsigned int)(seed >> 32) ^ (unsigned int)stream);
    double u1 = ((double)c[0] + 1.0) * 2.3283064365386963e-10; // (0, 1]
    double u2 = (double)c[1] * 2.3283064365386963e-10;         // [0, 1)
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

__device__ double softplus_d(double x) { return x > 20.0 ? x : log1p(exp(x)); }
__device__ double sigmoid_d(double x) { return 1.0 / (1.0 + exp(-x)); }

#define GRID_LOOP(i, n) for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

// block_sum reduces one double per thread of a RED_THREADS block; thread 0
// gets the total.
__device__ double block_sum(double v) {
    __shared__ double s[RED_THREADS];
    s[threadIdx.x] = v;
    __syncthreads();
    for (int w = RED_THREADS / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
        __syncthreads();
    }
    return s[0];
}

#define KERNELS(T, S)                                                                                        \
    /* out[i] = normal_at(seed, stream, step, i) */                                                          \
    extern "C" __global__ void bbb_normal_##S(T *out, long long n, unsigned long long seed,                  \
                                              unsigned long long stream, unsigned long long step) {          \
        GRID_LOOP(i, n) { out[i] = (T)normal_at(seed, stream, step, (unsigned long long)i); }                \
    }                                                                                                        \
    /* w = mu + softplus(rho) * eps */                                                                       \
    extern "C" __global__ void bbb_sample_##S(T *out, const T *mu, const T *rho, const T *eps, long long n) { \
        GRID_LOOP(i, n) { out[i] = (T)((double)mu[i] + softplus_d(rho[i]) * (double)eps[i]); }               \
    }                                                                                                        \
    /* d w / d rho times g: g * eps * sigmoid(rho) */                                                        \
    extern "C" __global__ void bbb_sample_drho_##S(T *out, const T *g, const T *rho, const T *eps, long long n) { \
        GRID_LOOP(i, n) { out[i] = (T)((double)g[i] * (double)eps[i] * sigmoid_d(rho[i])); }                 \
    }                                                                                                        \
    /* per-block partial sums of log q(w) - log p(w), w = mu + sigma eps, q = N(mu, sigma), p = N(pm, ps) */ \
    extern "C" __global__ void bbb_kl_partial_##S(double *partial, const T *mu, const T *rho, const T *eps,  \
                                                  long long n, double pm, double ps) {                       \
        double acc = 0;                                                                                      \
        GRID_LOOP(i, n) {                                                                                    \
            double s = softplus_d(rho[i]), e = eps[i];                                                       \
            double w = (double)mu[i] + s * e;                                                                \
            double z = (w - pm) / ps;                                                                        \
            acc += -log(s) - 0.5 * e * e + log(ps) + 0.5 * z * z;                                            \
        }                                                                                                    \
        double t = block_sum(acc);                                                                           \
        if (threadIdx.x == 0) partial[blockIdx.x] = t;                                                       \
    }                                                                                                        \
    /* d KL / d mu times the scalar g: g * (w - pm) / ps^2 */                                                \
    extern "C" __global__ void bbb_kl_dmu_##S(T *out, const T *g, const T *mu, const T *rho, const T *eps,   \
                                              long long n, double pm, double ps) {                           \
        double gs = (double)g[0] / (ps * ps);                                                                \
        GRID_LOOP(i, n) {                                                                                    \
            double w = (double)mu[i] + softplus_d(rho[i]) * (double)eps[i];                                  \
            out[i] = (T)(gs * (w - pm));                                                                     \
        }                                                                                                    \
    }                                                                                                        \
    /* d KL / d rho times g: g * ((w - pm)/ps^2 * eps - 1/sigma) * sigmoid(rho) */                           \
    extern "C" __global__ void bbb_kl_drho_##S(T *out, const T *g, const T *mu, const T *rho, const T *eps,  \
                                               long long n, double pm, double ps) {                          \
        double g0 = (double)g[0];                                                                            \
        GRID_LOOP(i, n) {                                                                                    \
            double s = softplus_d(rho[i]), e = eps[i];                                                       \
            double w = (double)mu[i] + s * e;                                                                \
            out[i] = (T)(g0 * ((w - pm) / (ps * ps) * e - 1.0 / s) * sigmoid_d(rho[i]));                     \
        }                                                                                                    \
    }                                                                                                        \
    /* one block: out[0] = scale * sum(partial) + offset */                                                  \
    extern "C" __global__ void bbb_finish_sum_##S(T *out, const double *partial, long long n, double scale,   \
                                                  double offset) {                                           \
        double acc = 0;                                                                                      \
        for (long long i = threadIdx.x; i < n; i += RED_THREADS) acc += partial[i];                          \
        double t = block_sum(acc);                                                                           \
        if (threadIdx.x == 0) out[0] = (T)(scale * t + offset);                                              \
    }                                                                                                        \
    /* per-block partial sums of (y - p)^2 */                                                                \
    extern "C" __global__ void bbb_sqdiff_partial_##S(double *partial, const T *y, const T *p, long long n) { \
        double acc = 0;                                                                                      \
        GRID_LOOP(i, n) {                                                                                    \
            double d = (double)y[i] - (double)p[i];                                                          \
            acc += d * d;                                                                                    \
        }                                                                                                    \
        double t = block_sum(acc);                                                                           \
        if (threadIdx.x == 0) partial[blockIdx.x] = t;                                                       \
    }                                                                                                        \
    /* d loglik / d pred times the scalar g: (y - p) * g / sigma^2 */                                        \
    extern "C" __global__ void bbb_loglik_dpred_##S(T *out, const T *y, const T *p, const T *g, long long n,  \
                                                    double inv_var) {                                        \
        double gs = (double)g[0] * inv_var;                                                                  \
        GRID_LOOP(i, n) { out[i] = (T)(((double)y[i] - (double)p[i]) * gs); }                                \
    }                                                                                                        \
    /* out[r, c] = act(a[r, c] + b[c]), act = ReLU if relu != 0 */                                           \
    extern "C" __global__ void bbb_bias_act_##S(T *out, const T *a, const T *b, long long rows, long long cols, \
                                                long long relu) {                                            \
        GRID_LOOP(i, rows * cols) {                                                                          \
            T v = a[i] + b[i % cols];                                                                        \
            out[i] = (relu && !(v > (T)0)) ? (T)0 : v;                                                       \
        }                                                                                                    \
    }                                                                                                        \
    /* out = g where y > 0, else 0 (the ReLU's gradient, from its output y) */                               \
    extern "C" __global__ void bbb_relu_grad_##S(T *out, const T *g, const T *y, long long n) {              \
        GRID_LOOP(i, n) { out[i] = y[i] > (T)0 ? g[i] : (T)0; }                                              \
    }                                                                                                        \
    /* column sums, pass 1: block (32 columns x 8 row lanes) sums rows [y*chunk, (y+1)*chunk) of its 32   \
       columns into partial[y * cols + c] */                                                              \
    extern "C" __global__ void bbb_colsum_partial_##S(double *partial, const T *g, long long rows,          \
                                                      long long cols, long long chunk) {                    \
        __shared__ double s[8][33];                                                                          \
        long long c = blockIdx.x * 32LL + threadIdx.x;                                                       \
        long long r0 = blockIdx.y * chunk, r1 = min(rows, r0 + chunk);                                       \
        double acc = 0;                                                                                      \
        if (c < cols) {                                                                                      \
            for (long long r = r0 + threadIdx.y; r < r1; r += 8) acc += (double)g[r * cols + c];             \
        }                                                                                                    \
        s[threadIdx.y][threadIdx.x] = acc;                                                                   \
        __syncthreads();                                                                                     \
        if (threadIdx.y == 0 && c < cols) {                                                                  \
            double t = 0;                                                                                    \
            for (int k = 0; k < 8; k++) t += s[k][threadIdx.x];                                              \
            partial[blockIdx.y * cols + c] = t;                                                              \
        }                                                                                                    \
    }                                                                                                        \
    /* column sums, pass 2: out[c] = sum over y < chunks of partial[y * cols + c] */                         \
    extern "C" __global__ void bbb_colsum_finish_##S(T *out, const double *partial, long long cols,          \
                                                     long long chunks) {                                     \
        GRID_LOOP(c, cols) {                                                                                 \
            double t = 0;                                                                                    \
            for (long long y = 0; y < chunks; y++) t += partial[y * cols + c];                               \
            out[c] = (T)t;                                                                                   \
        }                                                                                                    \
    }                                                                                                        \
    /* out[i] = mu[i % m] + softplus(rho[i % m]) * eps[i]: K samples of an m-element tensor */            \
    extern "C" __global__ void bbb_sample_batch_##S(T *out, const T *mu, const T *rho, const T *eps,         \
                                                    long long n, long long m) {                             \
        GRID_LOOP(i, n) {                                                                                    \
            long long j = i % m;                                                                             \
            out[i] = (T)((double)mu[j] + softplus_d(rho[j]) * (double)eps[i]);                               \
        }                                                                                                    \
    }                                                                                                        \
    /* out[k, r, c] = act(a[k, r, c] + b[k, c]) */                                                           \
    extern "C" __global__ void bbb_bias_act_batch_##S(T *out, const T *a, const T *b, long long n,           \
                                                      long long rows, long long cols, long long relu) {      \
        GRID_LOOP(i, n) {                                                                                    \
            T v = a[i] + b[(i / (rows * cols)) * cols + i % cols];                                           \
            out[i] = (relu && !(v > (T)0)) ? (T)0 : v;                                                       \
        }                                                                                                    \
    }                                                                                                        \
    /* out[i] = value */                                                                                     \
    extern "C" __global__ void bbb_fill_##S(T *out, long long n, double value) {                            \
        GRID_LOOP(i, n) { out[i] = (T)value; }                                                               \
    }                                                                                                        \
    /* out[i] = in[i]: a kernel, not cuMemcpy, so that the host never waits on it */                         \
    extern "C" __global__ void bbb_copy_##S(T *out, const T *in, long long n) {                              \
        GRID_LOOP(i, n) { out[i] = in[i]; }                                                                  \
    }                                                                                                        \
    /* Adam with PyTorch's rule: step = lr / (1 - b1^t), rbc2 = 1 / sqrt(1 - b2^t) */                         \
    extern "C" __global__ void bbb_adam_##S(T *p, const T *g, T *m, T *v, long long n, double b1, double b2,  \
                                            double step, double rbc2, double eps) {                          \
        GRID_LOOP(i, n) {                                                                                    \
            T gi = g[i];                                                                                     \
            T mi = (T)b1 * m[i] + ((T)1 - (T)b1) * gi;                                                          \
            T vi = (T)b2 * v[i] + ((T)1 - (T)b2) * gi * gi;                                                     \
            m[i] = mi;                                                                                       \
            v[i] = vi;                                                                                       \
            p[i] -= (T)step * mi / (sqrt(vi) * (T)rbc2 + (T)eps);                                            \
        }                                                                                                    \
    }

KERNELS(float, f32)
KERNELS(double, f64)
