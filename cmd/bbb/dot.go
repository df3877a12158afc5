package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/rundir"
)

// dotUnused are the shared model flags that do not shape the graph (the
// data, the run, the optimiser and its schedule, minibatches and draws per
// step, the device): dot does not take them.
var dotUnused = map[string]bool{"points": true, "workers": true, "threads": true, "lr": true, "seed": true,
	"lr-milestones": true, "lr-gamma": true, "batch-size": true, "kl-weight": true, "mc-samples": true, "device": true, "tf32": true}

// runDot writes the training graph (with gradients if --grad) as DOT.
func runDot(args []string, stdout, stderr io.Writer) error {
	var m modelFlags
	var out string
	var rows int
	var grad bool
	var maxMemory memory.Limit
	fs := flag.NewFlagSet("dot", flag.ContinueOnError)
	all := flag.NewFlagSet("model", flag.ContinueOnError)
	m.register(all)
	all.VisitAll(func(f *flag.Flag) {
		if !dotUnused[f.Name] {
			fs.Var(f.Value, f.Name, f.Usage)
		}
	})
	fs.StringVar(&out, "out", "-", "output file (- for stdout)")
	fs.StringVar(&out, "o", "-", "the same as --out")
	settingflag.IntVar(fs, &rows, "rows", 16000, "batch rows")
	fs.BoolVar(&grad, "grad", false, "everything, gradient nodes included, in Gorgonia's own DOT format")
	registerMaxMemory(fs, &maxMemory)
	if err := parseChecked(fs, args, stdout); err != nil {
		return err
	}
	if isSet(fs, "o") && isSet(fs, "out") { // (one variable: the last would win)
		return usagef("-o and --out: both name the output; give one")
	}
	if err := m.check(); err != nil {
		return err
	}
	if rows < 1 {
		return usagef("--rows %d: need at least 1", rows)
	}
	if err := checkMemory(memory.Sizes{Job: memory.Graph, Gradients: grad, Points: rows, Hidden: m.Hidden, Layers: m.Layers, Workers: 1, Samples: 2, Inputs: 1,
		DtypeBytes: m.DtypeBytes(), PointsFrom: fmt.Sprintf("--rows %d", rows)}, maxMemory); err != nil {
		return err
	}
	if out == "" {
		return usagef("--out: empty path (- for stdout)")
	}
	plan := newPlan()
	plan.OutOrStdout("--out", out)
	plan.Replacing("--out", rundir.ReplacesText("a Graphviz graph", "digraph"))
	if err := checkPlan(plan); err != nil {
		return err
	}
	text, err := graph.DrawDOT(m.graphConfig(), rows, grad)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = io.WriteString(stdout, text)
		return err
	}
	return atomicio.WriteFile(out, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
}
