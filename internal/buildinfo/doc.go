// Package buildinfo reads what a binary says about itself: the module
// version and commit from its build info, the build tags its code knows,
// the BLAS it runs (internal/linalg), the CPU, and the CUDA line the
// caller supplies. `bbb version` prints it; summary.json and bench.json
// keep its train.Build block.
package buildinfo
