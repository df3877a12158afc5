package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/bbb-go/bbb/interrupt"
)

// Exit codes: 2 for bad input (before any work), 1 for a failed run.
const (
	exitOK    = 0
	exitRun   = 1
	exitUsage = 2
)

// usageError is a bad flag, value or file named by the user.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

const usage = `usage: bbb <command> [flags]

commands:
  train   fit the BBB network, sample predictive bands, write summary.json and figures
  bench   time the training step and predictive sampling over a sweep of sizes
  predict sample a saved model (train --save) at the inputs of a CSV file
  prune   remove the lowest-|mu|/sigma weights of a saved MNIST model, test error per share
  bandit  the Mushroom contextual bandit: Thompson-sampling BBB against epsilon-greedy agents
  sweep   run a grid of train runs here (--jobs) or as one Slurm job array; sweep.csv, a figure, the best point
  dot     write the graph as Graphviz DOT
  version print the version, commit, build tags, BLAS, CUDA and Go version
  help    show this text

Run 'bbb <command> -h' for a command's flags and an example.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if len(args) == 2 && args[0] == "help" && (args[1] == "help" || args[1] == "-h" || args[1] == "--help") {
		args = args[:1] // the usage text
	}
	if len(args) >= 2 && args[0] == "help" {
		if len(args) > 2 || examples[args[1]] == "" {
			fmt.Fprintf(stderr, "bbb: help %s: want a command (train, bench, predict, prune, bandit, sweep, dot or version)\n", strings.Join(args[1:], " "))
			return exitUsage
		}
		args = []string{args[1], "-h"} // bbb help train: train's flags
	}
	ctx, stop := interrupt.NotifyContext(stderr)
	defer stop()
	written = ""
	var err error
	runCommand = args[0] // recorded in the run folder (rundir.go)
	switch args[0] {
	case "train":
		err = runTrain(ctx, args[1:], stdout, stderr)
	case "bench":
		err = runBench(ctx, args[1:], stdout, stderr)
	case "dot":
		err = runDot(args[1:], stdout, stderr)
	case "predict":
		err = runPredict(ctx, args[1:], stdout, stderr)
	case "prune":
		err = runPrune(ctx, args[1:], stdout, stderr)
	case "bandit":
		err = runBandit(ctx, args[1:], stdout, stderr)
	case "version":
		err = runVersion(args[1:], stdout)
	case "sweep":
		err = runSweep(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = usagef("unknown command %q (want train, bench, predict, prune, bandit, sweep, dot, version or help)", args[0])
	}
	if errors.Is(err, syscall.EPIPE) { // the reader of stdout has gone (| head): as SIGPIPE ends a process
		if written != "" {
			return exitOK // (the outputs are in place; only the summary lines were lost)
		}
		return 128 + int(syscall.SIGPIPE)
	}
	if se, ok := interrupt.Cause(ctx); ok && !errors.Is(err, errHelp) {
		if err == nil && written != "" {
			fmt.Fprintf(stderr, "bbb: %v after %s was written whole; the run is complete\n", se, written)
			return exitOK
		}
		fmt.Fprintf(stderr, "bbb: %v during %s; stopped\n", se, interrupt.CurrentStage())
		return se.ExitCode()
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelp) {
		fmt.Fprintf(stdout, "\nExample:\n  %s\n", examples[args[0]])
		return exitOK
	}
	fmt.Fprintf(stderr, "bbb: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitRun
}

var errHelp = errors.New("help requested")
