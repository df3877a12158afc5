// Package vecmath holds the float32 elementwise kernels of the variational
// weights that dominate a large network's step: softplus and its
// derivative, the scale-mixture prior's log-density and its derivative, and
// the Normal log-density. Each is the formula the float64 reference
// (reference.go) computes, to about 2 ulp of float32.
//
// The pure-Go build runs the reference loops (float64 math per element).
// Built with the tag `openblas` (the fast CPU build, already cgo) the
// loops are C, written without branches so that GCC vectorises them
// (8 floats per AVX2 instruction where the CPU has it, chosen at run time
// by target_clones), with Cephes' expf and logf polynomials.
package vecmath

// Mixture holds a scale-mixture prior's constants per component i:
// C_i = log(pi_i) - log(s_i) - log(2π)/2 and IV_i = 1/s_i².
type Mixture struct{ C1, C2, IV1, IV2 float64 }
