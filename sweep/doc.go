// Package sweep runs a grid of `bbb train` runs: it reads a grid file
// (Parse), expands it into points with stable names (Expand), checks every
// point before any starts (Check), runs the points on this machine
// (RunLocal) or as one Slurm job array (Submit, Wait), and collects the
// runs' summaries into one table (Collect, WriteCSV, Best).
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
// checks `bbb train` makes.
package sweep
