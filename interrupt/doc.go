// Package interrupt stops a command cleanly at SIGINT or SIGTERM (or
// SIGHUP, or SIGPIPE on a closed stdout or stderr), and says where it
// stopped.
//
// NotifyContext returns a context that the first signal cancels (its
// cause a Signal). The command checks it at the start of every stage
// (EnterStage: training between epochs, predictive sampling between
// passes, figures between files), returns, and exits 128 + the signal's
// number (Signal.ExitCode: 130, 143, 129, 141), saying on stderr in which stage it
// stopped (CurrentStage). A command that has not returned within a short
// grace period (or at a second signal) is ended anyway: the function given
// to OnHardStop runs first (it removes a staged run folder, rundir's
// Dir.Abort, or cancels a Slurm job), and what it cannot remove the next
// run into the same folder does. RunDir is such a run folder: OpenRunDir
// gives its Abort to OnHardStop, and Commit and Abort take it back.
//
// The package is apart from rundir because it takes over the process's
// signals and may end the process (os.Exit), which a program that only
// writes run folders (a test, a notebook's kernel, a server) must not
// have done to it; and commands without a run folder (predict, dot,
// sweep) stop the same way.
package interrupt
