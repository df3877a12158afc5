// Package sweep runs a grid of `bbb train` runs: it reads a grid file
// (Parse), expands it into points with stable names (Expand), checks every
// point before any starts (Check), runs the points on this machine
// (RunLocal) or as one Slurm job array (Submit, Wait), and collects the
// runs' summaries into one table (Collect, WriteCSV, Best).
//
// The whole flow of `bbb sweep` is three calls: PlanGrid (expand and
// check), New and Sweep.Run (run the pending points here or on Slurm),
// and Report (sweep.csv, the figure and the best point). CheckFolder
// refuses a folder that is not a sweep's before any of them; RunTask is
// what each Slurm task runs; EndedReason tells a later Report why a
// Slurm task's point did not finish.
//
// A sweep folder DIR holds
//
//	DIR/sweep.json            the plan: every point's name and train flags
//	DIR/runs/<point>/         each point's train --out folder (whole or absent)
//	DIR/status/<point>.json   each point's last attempt: ok or failed, why, wall time
//	DIR/logs/<point>.log      each point's train output
//	DIR/sweep.csv             one row per point (WriteCSV)
//
// A point whose run folder holds a summary.json is done and is not run
// again; every other point (failed, killed, never started) runs on the next
// sweep into DIR. docs/SWEEP.md describes the grid file and the backends.
//
// The package does not know bbb train's flags: the command passes in the
// functions that know them (Checker), so a grid is refused by the same
// checks `bbb train` makes. ReadGrid reads a grid file, ParseSeeds the
// --seeds list that replaces its seeds.
package sweep
