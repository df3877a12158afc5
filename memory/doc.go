// Package memory estimates a bbb run's peak memory from its sizes, and
// refuses, before any work, a run that would not fit: past the memory a
// machine has, Go's allocator ends the process with a fatal error that no
// recover catches, after the run has begun.
//
// Estimate adds up the parts a run holds at once (the program, the
// activations of rows × hidden per layer, the parameters' copies, the
// predictive workers' graphs, the data, the trace of predictive passes)
// with constants fitted to the peak RSS measured on real runs; within 2x of
// the measurements that docs/MEMORY.md lists. It also returns the largest
// part, named by the setting that drives it ("--points 900000", or what
// Sizes says the user typed), so that a refusal says what to lower.
//
// Check compares the estimate with a Limit (bbb's --max-memory, a
// flag.Value) or, for the zero Limit, with the memory the machine has
// available now (Available), and returns a *TooLargeError whose message
// is bbb's one-line refusal. Machine is the machine's memory and swap,
// which no Limit raises.
//
// Sizes names bbb's command-line flags in its terms; a Go caller sets the
// From fields to name its own settings.
package memory
