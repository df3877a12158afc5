// Package parallel splits the elementwise loops of a training step (the
// graph's kernels, Adam) over the cores the user gave --threads. OpenBLAS
// at one thread per GEMM leaves a second core idle on the small matrix
// products of a minibatch step; the per-weight loops over hundreds of
// thousands of weights are where it pays.
//
// Every split is of independent indices, so a result does not depend on the
// worker count: a seed gives the same numbers at any --threads (sums stay
// sequential in their callers).
package parallel
