// Package bench times Bayes-by-Backprop training steps and predictive
// passes over a sweep of workload sizes, and compares the timings of
// several backends: this project's CPU and GPU builds, and PyTorch's
// (scripts/torch_bench.py writes the same report).
//
// A sweep (Sweep) measures each size (Measure) into a Row of a Report, the
// file `bbb bench` writes as bench.json (Report.Write). Reports of other backends are read
// back and checked (Read), labelled (Label), and printed side by side as
// one table (Table) and drawn as one figure (Figure, for viz.Bench), with
// the first backend's time over each other's.
//
// The timings follow `bbb train`: steps run in chunks with one loss read
// per chunk (so a GPU's host queues a step while the one before runs), the
// median of the chunks' times per step is the result, and a few steps are
// also timed alone with their loss read at once. BENCHMARKS.md has the
// numbers and how they were made.
package bench
