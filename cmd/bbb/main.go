// Command bbb trains a Bayes-by-Backprop network built as a Gorgonia graph
// on the seed's noisy cubic, samples its predictive bands, writes figures,
// and benchmarks the graph. Run `bbb help` for the subcommands.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
