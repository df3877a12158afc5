package main

import (
	"flag"
	"io"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
)

// runDot writes the training graph (with gradients if --grad) as DOT.
func runDot(args []string, stdout, stderr io.Writer) error {
	var m modelFlags
	var out string
	var rows int
	var grad bool
	fs := flag.NewFlagSet("dot", flag.ContinueOnError)
	m.register(fs)
	fs.StringVar(&out, "o", "-", "output file (- for stdout)")
	fs.IntVar(&rows, "rows", 16000, "batch rows")
	fs.BoolVar(&grad, "grad", false, "everything, gradient nodes included, in Gorgonia's own DOT format")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := m.check(); err != nil {
		return err
	}
	if rows < 1 {
		return usagef("--rows %d: need at least 1", rows)
	}
	net, err := graph.New(m.graphConfig(), rows)
	if err != nil {
		return err
	}
	if grad {
		if err := net.Differentiate(); err != nil {
			return err
		}
	}
	text := net.DOT()
	if grad {
		text = net.GorgoniaDOT()
	}
	if out == "-" {
		_, err = io.WriteString(stdout, text)
		return err
	}
	return atomicio.WriteFile(out, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
}
