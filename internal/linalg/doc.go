// Package linalg holds the few dense kernels the graph's hot ops need: a
// row-major GEMM for float32 and float64 and small row/column helpers.
//
// GEMM goes to gonum's pure-Go BLAS by default. Built with the tag
// `openblas` (and Debian's libopenblas-dev installed) it calls OpenBLAS
// through cgo instead, on one thread unless SetThreads says otherwise, and
// registers it with Gorgonia (G.Use) so that Gorgonia's own matrix products
// use it too; see BENCHMARKS.md.
package linalg
