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

// Ziggurat tables (nodes/ziggurat.go, the same numbers; TestZigguratKernelTables
// checks). Global memory, not __constant__: threads of a warp read different
// layers, which the constant cache would serialise.
__device__ const unsigned int ZIG_K[128] = {
    0xed5a44, 0x000000, 0xc01e36, 0xd9c88f, 0xe4b68d, 0xeac00a, 0xee9243, 0xf1344b,
    0xf3208b, 0xf4979c, 0xf5bec5, 0xf6ad05, 0xf77151, 0xf815ce, 0xf8a199, 0xf919d8,
    0xf98259, 0xf9ddfd, 0xfa2efc, 0xfa7711, 0xfab79c, 0xfaf1ba, 0xfb2651, 0xfb561c,
    0xfb81ba, 0xfba9ad, 0xfbce63, 0xfbf039, 0xfc0f81, 0xfc2c7d, 0xfc476b, 0xfc607b,
    0xfc77dd, 0xfc8db6, 0xfca22a, 0xfcb557, 0xfcc757, 0xfcd844, 0xfce832, 0xfcf734,
    0xfd055b, 0xfd12b8, 0xfd1f58, 0xfd2b47, 0xfd3692, 0xfd4141, 0xfd4b60, 0xfd54f5,
    0xfd5e09, 0xfd66a4, 0xfd6ecb, 0xfd7684, 0xfd7dd5, 0xfd84c4, 0xfd8b53, 0xfd9188,
    0xfd9766, 0xfd9cf1, 0xfda22c, 0xfda71a, 0xfdabbe, 0xfdb019, 0xfdb42e, 0xfdb800,
    0xfdbb8f, 0xfdbedd, 0xfdc1ec, 0xfdc4bd, 0xfdc751, 0xfdc9a8, 0xfdcbc4, 0xfdcda5,
    0xfdcf4c, 0xfdd0b8, 0xfdd1e9, 0xfdd2e0, 0xfdd39c, 0xfdd41d, 0xfdd462, 0xfdd46a,
    0xfdd435, 0xfdd3c0, 0xfdd30c, 0xfdd215, 0xfdd0da, 0xfdcf58, 0xfdcd8e, 0xfdcb79,
    0xfdc914, 0xfdc65d, 0xfdc350, 0xfdbfe8, 0xfdbc1f, 0xfdb7f1, 0xfdb357, 0xfdae49,
    0xfda8bf, 0xfda2b0, 0xfd9c12, 0xfd94d9, 0xfd8cf7, 0xfd845d, 0xfd7afa, 0xfd70b8,
    0xfd6580, 0xfd5938, 0xfd4bbe, 0xfd3ced, 0xfd2c98, 0xfd1a89, 0xfd0680, 0xfcf02e,
    0xfcd732, 0xfcbb14, 0xfc9b3b, 0xfc76e6, 0xfc4d18, 0xfc1c7f, 0xfbe354, 0xfb9f18,
    0xfb4c34, 0xfae541, 0xfa61c1, 0xf9b369, 0xf8c01e, 0xf75217, 0xf4e442, 0xefacc9,
};
__device__ const double ZIG_W[128] = {
    2.2131718675747815e-07, 1.6231588412162755e-08, 2.162882274967572e-08, 2.5424241206372792e-08, 2.8457512694399618e-08, 3.1033518240574354e-08, 3.33006488328088e-08, 3.534334555098084e-08,
    3.721467240667625e-08, 3.895036213040186e-08, 4.0575737873861284e-08, 4.210946627470455e-08, 4.3565744795947436e-08, 4.4955650833490674e-08, 4.6288012736723265e-08, 4.756999377274838e-08,
    4.880749623181551e-08, 5.000544871673435e-08, 5.116801519357031e-08, 5.229875022845991e-08, 5.340071633940549e-08, 5.447657412427841e-08, 5.552865246624638e-08, 5.655900392003678e-08,
    5.7569448912212094e-08, 5.856161138507287e-08, 5.953694781619198e-08, 6.049677105255892e-08, 6.144227004457674e-08, 6.237452630782386e-08, 6.329452775089875e-08, 6.420318036633099e-08,
    6.510131817503429e-08, 6.598971173370091e-08, 6.686907545224076e-08, 6.774007392008063e-08, 6.860332740240491e-08, 6.945941663770386e-08, 7.030888704442901e-08, 7.115225242573783e-08,
    7.198999824618987e-08, 7.282258454203579e-08, 7.365044851680766e-08, 7.447400686580345e-08, 7.529365786639572e-08, 7.610978326559989e-08, 7.692274999178623e-08, 7.773291171363688e-08,
    7.85406102662929e-08, 7.934617696199576e-08, 8.014993380031266e-08, 8.09521945911731e-08, 8.17532660023774e-08, 8.255344854191848e-08, 8.335303748434811e-08, 8.415232374948604e-08,
    8.495159474099038e-08, 8.575113515165824e-08, 8.655122774179126e-08, 8.735215409652654e-08, 8.815419536768938e-08, 8.895763300546134e-08, 8.976274948496838e-08, 9.056982903277516e-08,
    9.137915835821887e-08, 9.219102739452782e-08, 9.300573005474621e-08, 9.382356500762706e-08, 9.464483647886372e-08, 9.54698550833093e-08, 9.629893869418865e-08, 9.713241335574595e-08,
    9.797061424630097e-08, 9.881388669932032e-08, 9.966258729085928e-08, 1.0051708500261117e-07, 1.0137776247083645e-07, 1.0224501733265326e-07, 1.0311926368258777e-07, 1.0400093365393879e-07,
    1.0489047914144954e-07, 1.0578837368405278e-07, 1.066951145291244e-07, 1.0761122490282227e-07, 1.0853725651479514e-07, 1.0947379232993399e-07, 1.1042144964504784e-07, 1.1138088351455262e-07,
    1.1235279057668203e-07, 1.1333791334063715e-07, 1.1433704500582873e-07, 1.1535103489736455e-07, 1.1638079461774568e-07, 1.1742730503406087e-07, 1.1849162424371361e-07, 1.1957489669105244e-07,
    1.2067836364372882e-07, 1.218033752831857e-07, 1.2295140472104004e-07, 1.2412406432581048e-07, 1.2532312483723393e-07, 1.2655053786480287e-07, 1.2780846252205344e-07, 1.2909929715090525e-07,
    1.3042571735835368e-07, 1.3179072194568535e-07, 1.3319768879359838e-07, 1.346504434269189e-07, 1.3615334389671515e-07, 1.3771138690106648e-07, 1.3933034189577322e-07, 1.4101692260012857e-07,
    1.427790092236437e-07, 1.4462594065271317e-07, 1.4656890496086064e-07, 1.4862147105308605e-07, 1.5080032780103847e-07, 1.5312633668928968e-07, 1.5562607338618323e-07, 1.5833416052230356e-07,
    1.6129693824778912e-07, 1.6457851960582595e-07, 1.6827138367586794e-07, 1.7251634639629894e-07, 1.7754413203285815e-07, 1.8377476085524966e-07, 1.921108355868543e-07, 2.0519613360756637e-07,
};
__device__ const double ZIG_F[128] = {
    1, 0.9635996931270896, 0.9362826816850625, 0.9130436479717428, 0.8922816507840284, 0.8732430489100717, 0.8555006078694526, 0.8387836052959915,
    0.8229072113814108, 0.8077382946829622, 0.7931770117713067, 0.7791460859296893, 0.765584173897706, 0.7524415591746129, 0.7396772436726488, 0.7272569183441863,
    0.7151515074105, 0.7033360990161595, 0.6917891434366764, 0.6804918409973354, 0.6694276673488917, 0.6585820000500895, 0.647941821110224, 0.6374954773350439,
    0.6272324852499288, 0.6171433708188824, 0.6072195366251217, 0.5974531509445181, 0.5878370544347078, 0.5783646811197644, 0.569029991067952, 0.5598274127040879,
    0.5507517931146054, 0.5417983550254263, 0.5329626593838369, 0.5242405726729849, 0.5156282382440026, 0.5071220510755696, 0.49871863547098017, 0.4904148252838448,
    0.4822076463294858, 0.47409430069301745, 0.4660721526894566, 0.4581387162678725, 0.4502916436820397, 0.44252871527546894, 0.4348478302499913, 0.42724699830499646,
    0.41972433204957477, 0.4122780401026614, 0.40490642080722333, 0.39760785649387365, 0.39038080823731486, 0.38322381105590136, 0.3761354695105628, 0.36911445366447243,
    0.3621594953693178, 0.35526938484791737, 0.3484429675463268, 0.3416791412315506, 0.33497685331358923, 0.3283350983728503, 0.3217529158759849, 0.31522938806501094,
    0.3087636380061812, 0.30235482778648354, 0.296002156846933, 0.28970486044295984, 0.283462208223233, 0.2772735029191881, 0.2711380791383846, 0.2650553022555892,
    0.25902456739620483, 0.25304529850732577, 0.2471169475123214, 0.24123899354543982, 0.23541094226347908, 0.22963232523211613, 0.22390269938500842, 0.21822164655430543,
    0.21258877307173027, 0.2070037094399266, 0.20146611007431373, 0.1959756531162778, 0.19053204031913723, 0.18513499700899227, 0.17978427212329554, 0.17447963833078958,
    0.169220892237365, 0.16400785468342038, 0.1588403711394793, 0.15371831220818166, 0.14864157424234226, 0.14361008009062776, 0.1386237799845946, 0.13368265258343937,
    0.1287867061959432, 0.12393598020286782, 0.11913054670765083, 0.11437051244886601, 0.10965602101484027, 0.10498725540942132, 0.10036444102865587, 0.09578784912173144,
    0.09125780082683026, 0.08677467189478019, 0.08233889824223567, 0.0779509825139734, 0.0736115018841134, 0.06932111739357791, 0.06508058521306807, 0.060890770348040406,
    0.05675266348104985, 0.052667401903051005, 0.048636295859867805, 0.044660862200491425, 0.040742868074444175, 0.0368843887866562, 0.03308788614622575, 0.02935631744000685,
    0.02569329193593427, 0.022103304615927098, 0.018592102737011288, 0.015167298010546568, 0.011839478657884862, 0.008624484412859885, 0.005548995220771345, 0.002669629083880923,
};

#define ZIG_R 3.442619855899

// zig_slow finishes the ziggurat for element i's word w, which the fast
// test did not accept (nodes/philox.go zigSlow): the tail (layer 0) or the
// wedge test, and after a wedge rejection a fresh word; uniforms from the
// extra Philox blocks (i, 2^31 | i>>32, step, step>>32 ^ k<<24), k = 0, 1, ...
__device__ double zig_slow(unsigned int w, unsigned int k0, unsigned int k1, unsigned long long step, unsigned long long i) {
    int j = (int)w >> 7;
    unsigned int iz = w & 127u;
    double x = (double)j * ZIG_W[iz];
    for (unsigned int k = 0;; k++) {
        unsigned int c[4] = {(unsigned int)i, (unsigned int)(i >> 32) | 0x80000000u, (unsigned int)step, (unsigned int)(step >> 32) ^ (k << 24)};
        philox4x32_10(c, k0, k1);
        if (iz == 0) {
            double t = -log(((double)c[0] + 0.5) * 0x1p-32) / ZIG_R;
            double y = -log(((double)c[1] + 0.5) * 0x1p-32);
            if (y + y >= t * t) return j > 0 ? ZIG_R + t : -ZIG_R - t;
            continue;
        }
        if (ZIG_F[iz] + ((double)c[0] + 0.5) * 0x1p-32 * (ZIG_F[iz - 1] - ZIG_F[iz]) < exp(-0.5 * x * x)) return x;
        j = (int)c[2] >> 7;
        iz = c[2] & 127u;
        x = (double)j * ZIG_W[iz];
        if ((unsigned int)max(j, -j) < ZIG_K[iz]) return x;
    }
}

// zig_normal is the ziggurat's normal from element i's word w: layer w&127,
// a 25-bit signed j = w>>7, x = j*ZIG_W[layer], accepted at once when
// |j| < ZIG_K[layer] (nodes/philox.go zigFast).
__device__ double zig_normal(unsigned int w, unsigned int k0, unsigned int k1, unsigned long long step, unsigned long long i) {
    int j = (int)w >> 7;
    unsigned int iz = w & 127u;
    if ((unsigned int)max(j, -j) < ZIG_K[iz]) return (double)j * ZIG_W[iz];
    return zig_slow(w, k0, k1, step, i);
}

// normal_block writes elements 4g .. 4g+3 (those below n) of the standard
// normal draw (seed, stream, step): one Philox block, counter (g, step),
// key (seed, seed>>32 ^ stream), one word per element (nodes/philox.go
// NormalAt, the same numbers).
template <typename T>
__device__ void normal_block(T *out, long long n, unsigned long long seed, unsigned long long stream, unsigned long long step, unsigned long long g) {
    unsigned int k0 = (unsigned int)seed, k1 = (unsigned int)(seed >> 32) ^ (unsigned int)stream;
    unsigned int c[4] = {(unsigned int)g, (unsigned int)(g >> 32), (unsigned int)step, (unsigned int)(step >> 32)};
    philox4x32_10(c, k0, k1);
    for (int q = 0; q < 4; q++) {
        unsigned long long e = 4 * g + q;
        if (e < (unsigned long long)n) out[e] = (T)zig_normal(c[q], k0, k1, step, e);
    }
}

__device__ double softplus_d(double x) { return x > 20.0 ? x : log1p(exp(x)); }
__device__ double sigmoid_d(double x) { return 1.0 / (1.0 + exp(-x)); }

#define HALF_LOG_2PI 0.91893853320467274178 // log(2π)/2

// mix_logp is the scale-mixture prior's log-density at w by log-sum-exp
// (internal/vecmath Mixture.LogProbAt): c1, c2 = log(pi_k) - log(s_k) -
// log(2π)/2 and iv1, iv2 = 1/s_k² (nodes/prior.go consts). Finite where the
// two pdfs added would underflow to log 0.
__device__ double mix_logp(double w, double c1, double c2, double iv1, double iv2) {
    double a1 = c1 - 0.5 * w * w * iv1, a2 = c2 - 0.5 * w * w * iv2;
    double hi = fmax(a1, a2), lo = fmin(a1, a2);
    if (isinf(hi)) return hi; // w = ±Inf: both -Inf
    return hi + log1p(exp(lo - hi));
}

// mix_neg_dlogp is -d log p / dw = w (r1/s1² + r2/s2²), r2 = sigmoid(a2 - a1)
// the spike's responsibility (Mixture.DLogProbAt).
__device__ double mix_neg_dlogp(double w, double c1, double c2, double iv1, double iv2) {
    double x = (c2 - 0.5 * w * w * iv2) - (c1 - 0.5 * w * w * iv1);
    double r2 = x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
    return w * ((1.0 - r2) * iv1 + r2 * iv2);
}

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
    /* out[i] = NormalAt(seed, stream, step, i): one thread per block of 4 */                              \
    extern "C" __global__ void bbb_normal_##S(T *out, long long n, unsigned long long seed,                  \
                                              unsigned long long stream, unsigned long long step) {          \
        GRID_LOOP(g, (n + 3) / 4) { normal_block<T>(out, n, seed, stream, step, (unsigned long long)g); }    \
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
    /* per-block partial sums of log q(w) - log p(w), p the scale mixture (mix_logp's constants) */         \
    extern "C" __global__ void bbb_klmix_partial_##S(double *partial, const T *mu, const T *rho, const T *eps, \
                                                     long long n, double c1, double c2, double iv1, double iv2) { \
        double acc = 0;                                                                                      \
        GRID_LOOP(i, n) {                                                                                    \
            double s = softplus_d(rho[i]), e = eps[i];                                                       \
            double w = (double)mu[i] + s * e;                                                                \
            acc += -log(s) - 0.5 * e * e - HALF_LOG_2PI - mix_logp(w, c1, c2, iv1, iv2);                     \
        }                                                                                                    \
        double t = block_sum(acc);                                                                           \
        if (threadIdx.x == 0) partial[blockIdx.x] = t;                                                       \
    }                                                                                                        \
    /* d KL / d mu times the scalar g, the mixture prior: g * -d log p / dw */                               \
    extern "C" __global__ void bbb_klmix_dmu_##S(T *out, const T *g, const T *mu, const T *rho, const T *eps, \
                                                 long long n, double c1, double c2, double iv1, double iv2) { \
        double g0 = (double)g[0];                                                                            \
        GRID_LOOP(i, n) {                                                                                    \
            double w = (double)mu[i] + softplus_d(rho[i]) * (double)eps[i];                                  \
            out[i] = (T)(g0 * mix_neg_dlogp(w, c1, c2, iv1, iv2));                                           \
        }                                                                                                    \
    }                                                                                                        \
    /* d KL / d rho times g, the mixture prior: g * (-d log p / dw * eps - 1/sigma) * sigmoid(rho) */        \
    extern "C" __global__ void bbb_klmix_drho_##S(T *out, const T *g, const T *mu, const T *rho, const T *eps, \
                                                  long long n, double c1, double c2, double iv1, double iv2) { \
        double g0 = (double)g[0];                                                                            \
        GRID_LOOP(i, n) {                                                                                    \
            double s = softplus_d(rho[i]), e = eps[i];                                                       \
            double w = (double)mu[i] + s * e;                                                                \
            out[i] = (T)(g0 * (mix_neg_dlogp(w, c1, c2, iv1, iv2) * e - 1.0 / s) * sigmoid_d(rho[i]));       \
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

// ---- closed-form KL and local reparameterisation (nodes/klclosed_resident.go, nodes/localreparam.go) ----

#define KL_LOCAL_KERNELS(T, S)                                                                               \
    /* per-block partial sums of KL(N(mu, sigma^2) || N(pm, ps^2)), sigma = softplus(rho) */                 \
    extern "C" __global__ void bbb_klclosed_partial_##S(double *partial, const T *mu, const T *rho,          \
                                                        long long n, double pm, double ps) {                 \
        double acc = 0;                                                                                      \
        GRID_LOOP(i, n) {                                                                                    \
            double s = softplus_d(rho[i]), d = (double)mu[i] - pm;                                           \
            acc += log(ps) - log(s) + (s * s + d * d) / (2.0 * ps * ps) - 0.5;                               \
        }                                                                                                    \
        double t = block_sum(acc);                                                                           \
        if (threadIdx.x == 0) partial[blockIdx.x] = t;                                                       \
    }                                                                                                        \
    /* d closed KL / d mu times the scalar g: g * (mu - pm) / ps^2 */                                        \
    extern "C" __global__ void bbb_klclosed_dmu_##S(T *out, const T *g, const T *mu, const T *rho,           \
                                                    long long n, double pm, double ps) {                     \
        double gs = (double)g[0] / (ps * ps);                                                                \
        GRID_LOOP(i, n) { out[i] = (T)(gs * ((double)mu[i] - pm)); }                                         \
    }                                                                                                        \
    /* d closed KL / d rho times g: g * (sigma / ps^2 - 1 / sigma) * sigmoid(rho) */                         \
    extern "C" __global__ void bbb_klclosed_drho_##S(T *out, const T *g, const T *mu, const T *rho,          \
                                                     long long n, double pm, double ps) {                    \
        double g0 = (double)g[0];                                                                            \
        GRID_LOOP(i, n) {                                                                                    \
            double s = softplus_d(rho[i]);                                                                   \
            out[i] = (T)(g0 * (s / (ps * ps) - 1.0 / s) * sigmoid_d(rho[i]));                                \
        }                                                                                                    \
    }                                                                                                        \
    /* out = x * x */                                                                                        \
    extern "C" __global__ void bbb_square_##S(T *out, const T *x, long long n) {                             \
        GRID_LOOP(i, n) { out[i] = (T)((double)x[i] * (double)x[i]); }                                       \
    }                                                                                                        \
    /* d x^2 / d x times g: 2 x g */                                                                         \
    extern "C" __global__ void bbb_square_grad_##S(T *out, const T *g, const T *x, long long n) {            \
        GRID_LOOP(i, n) { out[i] = (T)(2.0 * (double)x[i] * (double)g[i]); }                                 \
    }                                                                                                        \
    /* out = softplus(rho)^2 */                                                                              \
    extern "C" __global__ void bbb_softplus_sq_##S(T *out, const T *rho, long long n) {                      \
        GRID_LOOP(i, n) {                                                                                    \
            double s = softplus_d(rho[i]);                                                                   \
            out[i] = (T)(s * s);                                                                             \
        }                                                                                                    \
    }                                                                                                        \
    /* d softplus(rho)^2 / d rho times g: 2 softplus(rho) sigmoid(rho) g */                                  \
    extern "C" __global__ void bbb_softplus_sq_grad_##S(T *out, const T *g, const T *rho, long long n) {     \
        GRID_LOOP(i, n) { out[i] = (T)(2.0 * softplus_d(rho[i]) * sigmoid_d(rho[i]) * (double)g[i]); }       \
    }                                                                                                        \
    /* out = mean + sqrt(v) * eps */                                                                         \
    extern "C" __global__ void bbb_local_out_##S(T *out, const T *mean, const T *v, const T *eps, long long n) { \
        GRID_LOOP(i, n) { out[i] = (T)((double)mean[i] + sqrt((double)v[i]) * (double)eps[i]); }             \
    }                                                                                                        \
    /* out = ReLU(mean + sqrt(v) * eps) */                                                                   \
    extern "C" __global__ void bbb_local_out_relu_##S(T *out, const T *mean, const T *v, const T *eps,       \
                                                      long long n) {                                         \
        GRID_LOOP(i, n) {                                                                                    \
            double a = (double)mean[i] + sqrt((double)v[i]) * (double)eps[i];                                \
            out[i] = (T)(a > 0.0 ? a : 0.0);                                                                 \
        }                                                                                                    \
    }                                                                                                        \
    /* d out / d v times g: g * eps / (2 sqrt(v)); inputs (g, y, v, eps), y the output */                    \
    extern "C" __global__ void bbb_local_dvar_##S(T *out, const T *g, const T *y, const T *v, const T *eps,  \
                                                  long long n) {                                             \
        GRID_LOOP(i, n) { out[i] = (T)((double)g[i] * (double)eps[i] / (2.0 * sqrt((double)v[i]))); }        \
    }                                                                                                        \
    /* the same, 0 where the ReLU's output y is not > 0 */                                                   \
    extern "C" __global__ void bbb_local_dvar_relu_##S(T *out, const T *g, const T *y, const T *v,           \
                                                       const T *eps, long long n) {                          \
        GRID_LOOP(i, n) {                                                                                    \
            out[i] = y[i] > (T)0 ? (T)((double)g[i] * (double)eps[i] / (2.0 * sqrt((double)v[i]))) : (T)0;   \
        }                                                                                                    \
    }

KL_LOCAL_KERNELS(float, f32)
KL_LOCAL_KERNELS(double, f64)

// ---- resident likelihoods (learned, heteroscedastic, categorical) ----
// The kernels of nodes/resident_lik.go: the learned-scale Gaussian (sigma =
// softplus(rho), rho on the device), the heteroscedastic Gaussian (out =
// [means | raw scales] per row, sigma = smin + softplus(raw + shift)) and
// the categorical (log-softmax) log-likelihood, with their gradients. The
// sums go through per-block partials (double), as bbb_sqdiff_partial's.

// softplus_s and sigmoid_s are internal/vecmath's SoftplusAt and
// SigmoidAt (the heteroscedastic likelihood's Go code uses them).
__device__ double softplus_s(double x) { return fmax(x, 0.0) + log1p(exp(-fabs(x))); }
__device__ double sigmoid_s(double x) {
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

// row_lse is log sum_j exp(z[j]) over a row of k logits, the maximum
// factored out (nodes/categorical.go logSumExp).
template <typename T>
__device__ double row_lse(const T *z, long long k) {
    double m = -INFINITY;
    for (long long j = 0; j < k; j++) m = fmax(m, (double)z[j]);
    if (isinf(m)) return m;
    double s = 0;
    for (long long j = 0; j < k; j++) s += exp((double)z[j] - m);
    return m + log(s);
}

// block_total is block_sum of one block's threads' shares of partial[0..nb).
__device__ double block_total(const double *partial, long long nb) {
    double acc = 0;
    for (long long i = threadIdx.x; i < nb; i += RED_THREADS) acc += partial[i];
    return block_sum(acc);
}

#define LIK_KERNELS(T, S)                                                                                    \
    /* one block: out = -ss/(2 sigma^2) - n (log sigma + log(2 pi)/2), ss the partials' sum, sigma = softplus(rho[0]) */ \
    extern "C" __global__ void bbb_lik_learned_finish_##S(T *out, const double *partial, long long nb,      \
                                                          const T *rho, long long n) {                      \
        double t = block_total(partial, nb);                                                                 \
        if (threadIdx.x == 0) {                                                                              \
            double s = softplus_d(rho[0]);                                                                   \
            out[0] = (T)(-0.5 * t / (s * s) - (double)n * (log(s) + HALF_LOG_2PI));                          \
        }                                                                                                    \
    }                                                                                                        \
    /* d loglik / d pred times the scalar g: (y - p) * g / sigma^2, sigma = softplus(rho[0]) */              \
    extern "C" __global__ void bbb_lik_learned_dpred_##S(T *out, const T *y, const T *p, const T *g,         \
                                                         const T *rho, long long n) {                       \
        double s = softplus_d(rho[0]), gs = (double)g[0] / (s * s);                                          \
        GRID_LOOP(i, n) { out[i] = (T)(((double)y[i] - (double)p[i]) * gs); }                                \
    }                                                                                                        \
    /* one block: d loglik / d rho times g: g (ss/sigma^3 - n/sigma) sigmoid(rho), ss the partials' sum */   \
    extern "C" __global__ void bbb_lik_learned_drho_##S(T *out, const double *partial, long long nb,         \
                                                        const T *g, const T *rho, long long n) {            \
        double t = block_total(partial, nb);                                                                 \
        if (threadIdx.x == 0) {                                                                              \
            double r = rho[0], s = softplus_d(r);                                                            \
            out[0] = (T)((t / (s * s * s) - (double)n / s) * (double)g[0] * sigmoid_d(r));                   \
        }                                                                                                    \
    }                                                                                                        \
    /* per-block partial sums of log N(y | mu, sigma^2) over rows x k targets, out rows = [mu | raw] */     \
    extern "C" __global__ void bbb_lik_hetero_partial_##S(double *partial, const T *y, const T *o,          \
                                                          long long rows, long long k, double smin,         \
                                                          double shift) {                                   \
        double acc = 0;                                                                                      \
        GRID_LOOP(i, rows * k) {                                                                             \
            long long im = (i / k) * 2 * k + i % k;                                                          \
            double s = smin + softplus_s((double)o[im + k] + shift);                                         \
            double z = ((double)y[i] - (double)o[im]) / s;                                                   \
            acc += -0.5 * z * z - log(s) - HALF_LOG_2PI;                                                     \
        }                                                                                                    \
        double t = block_sum(acc);                                                                           \
        if (threadIdx.x == 0) partial[blockIdx.x] = t;                                                       \
    }                                                                                                        \
    /* d loglik / d out times the scalar g: each target writes its mean's and its raw scale's entry */       \
    extern "C" __global__ void bbb_lik_hetero_dout_##S(T *out, const T *y, const T *o, const T *g,          \
                                                       long long rows, long long k, double smin,            \
                                                       double shift) {                                      \
        double g0 = (double)g[0];                                                                            \
        GRID_LOOP(i, rows * k) {                                                                             \
            long long im = (i / k) * 2 * k + i % k;                                                          \
            double x = (double)o[im + k] + shift, s = smin + softplus_s(x);                                  \
            double d = (double)y[i] - (double)o[im];                                                         \
            out[im] = (T)(d / (s * s) * g0);                                                                 \
            out[im + k] = (T)((d * d / (s * s * s) - 1.0 / s) * sigmoid_s(x) * g0);                          \
        }                                                                                                    \
    }                                                                                                        \
    /* per-block partial sums of sum_j y[r, j] (z[r, j] - lse(z[r])), one thread per row */                 \
    extern "C" __global__ void bbb_lik_cat_partial_##S(double *partial, const T *y, const T *z,             \
                                                       long long rows, long long k) {                       \
        double acc = 0;                                                                                      \
        GRID_LOOP(r, rows) {                                                                                 \
            double lse = row_lse<T>(z + r * k, k);                                                           \
            for (long long j = r * k; j < (r + 1) * k; j++) {                                                \
                if (y[j] != (T)0) acc += (double)y[j] * ((double)z[j] - lse);                                \
            }                                                                                                \
        }                                                                                                    \
        double t = block_sum(acc);                                                                           \
        if (threadIdx.x == 0) partial[blockIdx.x] = t;                                                       \
    }                                                                                                        \
    /* d loglik / d z times the scalar g: g (y[r, j] - softmax(z[r])_j sum_j y[r, j]), one thread per row */ \
    extern "C" __global__ void bbb_lik_cat_dlogits_##S(T *out, const T *y, const T *z, const T *g,          \
                                                       long long rows, long long k) {                       \
        double g0 = (double)g[0];                                                                            \
        GRID_LOOP(r, rows) {                                                                                 \
            double lse = row_lse<T>(z + r * k, k), mass = 0;                                                 \
            for (long long j = r * k; j < (r + 1) * k; j++) mass += (double)y[j];                            \
            for (long long j = r * k; j < (r + 1) * k; j++) {                                                \
                out[j] = (T)(((double)y[j] - exp((double)z[j] - lse) * mass) * g0);                          \
            }                                                                                                \
        }                                                                                                    \
    }                                                                                                        \
    /* SoftmaxDraws (nodes/softmaxdraws.go): out[0, r, j] = sum_d min(softmax(z[d, r])_j, 1) over the draws, \
       out[1, r, j] = draw 0's alone; one thread per (r, j) */                                               \
    extern "C" __global__ void bbb_softmax_draws_##S(T *out, const T *z, long long draws, long long rows,    \
                                                     long long k) {                                          \
        GRID_LOOP(i, rows * k) {                                                                             \
            long long r = i / k, j = i % k;                                                                  \
            double acc = 0;                                                                                  \
            for (long long d = 0; d < draws; d++) {                                                          \
                const T *zr = z + (d * rows + r) * k;                                                        \
                double p = fmin(exp((double)zr[j] - row_lse<T>(zr, k)), 1.0);                                \
                acc += p;                                                                                    \
                if (d == 0) out[rows * k + i] = (T)p;                                                        \
            }                                                                                                \
            out[i] = (T)acc;                                                                                 \
        }                                                                                                    \
    }

LIK_KERNELS(float, f32)
LIK_KERNELS(double, f64)

// ---- prune and hold, resume (s29-state) ----
#define HOLD_KERNELS(T, S)                                                                                   \
    /* x[idx[i]] = value: the held elements of a parameter after its Adam update, of a noise after its draw */ \
    extern "C" __global__ void bbb_hold_##S(T *x, const long long *idx, long long n, double value) {        \
        GRID_LOOP(i, n) { x[idx[i]] = (T)value; }                                                            \
    }

HOLD_KERNELS(float, f32)
HOLD_KERNELS(double, f64)

// ---- minibatches, draws (nodes/resident_batch.go) ----
// The permutation is held in the dtype (exact to 2^24 rows in float).
#define BATCH_KERNELS(T, S)                                                                                  \
    /* out[r, c] = data[perm[start + r], c]: the minibatch's rows of the stored data set */                \
    extern "C" __global__ void bbb_gather_rows_##S(T *out, const T *data, const T *perm, long long start,  \
                                                   long long rows, long long cols) {                        \
        GRID_LOOP(i, rows * cols) {                                                                          \
            long long r = i / cols, c = i - r * cols;                                                        \
            long long j = (long long)perm[start + r];                                                        \
            out[i] = data[j * cols + c];                                                                     \
        }                                                                                                    \
    }                                                                                                        \
    /* acc = g (first) or acc + g: the gradient sum over draws */                                           \
    extern "C" __global__ void bbb_accumulate_##S(T *acc, const T *g, long long n, long long first) {       \
        GRID_LOOP(i, n) { acc[i] = first ? g[i] : acc[i] + g[i]; }                                           \
    }                                                                                                        \
    /* x *= (T)f: the mean over draws */                                                                     \
    extern "C" __global__ void bbb_scale_##S(T *x, long long n, double f) {                                 \
        GRID_LOOP(i, n) { x[i] *= (T)f; }                                                                    \
    }

BATCH_KERNELS(float, f32)
BATCH_KERNELS(double, f64)
