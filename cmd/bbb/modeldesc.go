package main

import (
	"flag"
	"fmt"
	"slices"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/train"
)

// A model description is what sizes a network: layers, widths, inputs,
// outputs and the likelihood's extra outputs or parameter. It comes from
// the flags (train, bench, dot) or from a checkpoint's meta (predict,
// prune, --resume, --from), and checkDesc validates it, once, before
// anything is built: every size within its bound, and for a checkpoint
// every parameter the description implies present in the file with its
// shape. So a file cannot make bbb build what it does not hold.

// Bounds on a model description.
const (
	// maxLayers: Gorgonia's tape machine compiles in time that grows
	// faster than linearly with the layers (the training graph alone,
	// hidden 20: 100 layers 0.24 s, 200 1.1 s, 500 8 s), and a run
	// compiles several such graphs. A whole 1-epoch train run takes, idle
	// on 2 cores, 0.34 s at 64 layers, 0.83 s at 128, 1.4 s at 200; with
	// the machine shared (load 20) 1.5 s at 64, 4.4 s at 128. 64 keeps
	// start-up within a couple of seconds even then. (At 1000 layers,
	// hidden 2, the CLI's first step fails inside the machine: "input 0
	// is <nil>"; a bare graph of that size runs.)
	maxLayers = 64
	// maxHidden, maxInputs, maxClasses bound each width; maxWeights the
	// weights and biases together (each has a mu and a rho): 2^28 of
	// them are 2 GiB of float32 parameters before gradients and Adam.
	maxHidden  = 1 << 16
	maxInputs  = 1 << 20
	maxClasses = 1 << 16
	maxWeights = 1 << 28
	// paramCopies: a network holds at least this many values per
	// parameter (mu, rho, the drawn weight and its epsilon, gradients):
	// the description's memory floor.
	paramCopies = 6
)

// descMemory is the memory checkDesc compares with (tests set it).
var descMemory = memory.Available

// paramShape is one learnable parameter: its graph name and shape.
type paramShape struct {
	name  string
	shape []int
}

// descParams returns the learnables a config builds, in Learnables order
// (graph/network.go): per layer w_mu, w_rho (in × out), b_mu, b_rho (out),
// then noise_rho for a learned noise scale. TestDescParamsMatchGraph
// checks this against built networks. c must be within the bounds.
func descParams(c graph.Config) []paramShape {
	c = c.WithDefaults()
	out := make([]paramShape, 0, 4*c.Layers+1)
	for i := range c.Layers {
		in, o := c.Hidden, c.Hidden
		if i == 0 {
			in = c.Inputs
		}
		if i == c.Layers-1 {
			o = c.Outputs
			if c.Likelihood == graph.LikHetero {
				o *= 2 // means, then raw scales
			}
		}
		out = append(out,
			paramShape{fmt.Sprintf("w_mu%d", i), []int{in, o}}, paramShape{fmt.Sprintf("w_rho%d", i), []int{in, o}},
			paramShape{fmt.Sprintf("b_mu%d", i), []int{o}}, paramShape{fmt.Sprintf("b_rho%d", i), []int{o}})
	}
	if c.Likelihood == graph.LikLearned {
		out = append(out, paramShape{"noise_rho", []int{1}})
	}
	return out
}

// checkDesc validates a model description: each size within its bound,
// the weights' count, and their memory against what is available. The
// error names the flag that sets the size ("--layers 500: ..."). Zero
// sizes are graph.Config's defaults: callers refuse a 0 from the user.
func checkDesc(c graph.Config) error { return checkDescAs(c, "--hidden", "--layers") }

// checkDescAs is checkDesc naming the width and depth by the flags given
// (bench's --hidden-sizes and --layers-list).
func checkDescAs(c graph.Config, hiddenFlag, layersFlag string) error {
	c = c.WithDefaults()
	switch {
	case c.Layers < 1 || c.Layers > maxLayers:
		return usagef("%s %d: want 1 to %d (building the graph takes time growing with the square of the layers; %d start in about a second)", layersFlag, c.Layers, maxLayers, maxLayers)
	case c.Hidden < 1:
		return usagef("%s %d: need a value > 0", hiddenFlag, c.Hidden)
	case c.Inputs < 1 || c.Inputs > maxInputs:
		return usagef("inputs %d: want 1 to %d input columns", c.Inputs, maxInputs)
	case c.Outputs < 1 || c.Outputs > maxClasses:
		return usagef("outputs %d: want 1 to %d (classes)", c.Outputs, maxClasses)
	}
	// In float64: no count overflows (a width is an int, the layers few).
	h, in, out := float64(c.Hidden), float64(c.Inputs), float64(c.Outputs)*2
	weights := (in+1)*h + (h+1)*h*float64(c.Layers-2) + (h+1)*out
	if c.Layers == 1 {
		weights = (in + 1) * out
	}
	b := 4.0
	if c.Dtype == tensor.Float64 {
		b = 8
	}
	// Memory first: where it is short, that is the reason to give.
	if need, avail := weights*2*b*paramCopies, descMemory(); avail > 0 && need > avail {
		return usagef("%s %d: the run needs about %s of memory for its parameters alone (%s %d), %s is available", hiddenFlag, c.Hidden, memory.Format(need), layersFlag, c.Layers, memory.Format(avail))
	}
	switch {
	case c.Hidden > maxHidden:
		return usagef("%s %d: want 1 to %d", hiddenFlag, c.Hidden, maxHidden)
	case weights > maxWeights:
		return usagef("%s %d %s %d with %d inputs: %.3g weights, over the %d this build allows", hiddenFlag, c.Hidden, layersFlag, c.Layers, c.Inputs, weights, maxWeights)
	}
	return nil
}

// checkpointDesc returns the model a checkpoint describes, validated
// before anything is built: its recorded flags parsed as train's, its
// inputs and classes, every size within checkDesc's bounds, and every
// parameter that model has in the file under its name with its shape (the
// parameter count matched against the arrays the file holds). Errors are
// bare; readModel adds the flag and the file.
func checkpointDesc(c *train.Checkpoint) (graph.Config, error) {
	var m modelFlags
	var d dataFlags
	fs := flag.NewFlagSet("meta", flag.ContinueOnError)
	m.register(fs)
	d.register(fs)
	for _, n := range runFlagNames() {
		if v, ok := c.Meta.Flags[n]; ok {
			if err := fs.Set(n, v); err != nil {
				return graph.Config{}, fmt.Errorf("meta: flag --%s %q: %v", n, v, err)
			}
		}
	}
	if _, err := parseDtype(m.dtype); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	if m.layers < 1 || m.hidden < 1 { // (graph.Config takes 0 for its default)
		return graph.Config{}, fmt.Errorf("meta: --layers %d --hidden %d: need at least 1 each", m.layers, m.hidden)
	}
	cfg := m.graphConfig()
	cfg.Inputs = c.Meta.Inputs
	if c.Meta.Task == graph.Classification.String() {
		cfg.Task, cfg.Classes = graph.Classification, c.Meta.Classes
	}
	if err := checkDesc(cfg); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	if err := cfg.WithDefaults().Validate(); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	want := descParams(cfg)
	if len(want) != len(c.Meta.Params) {
		return graph.Config{}, fmt.Errorf("meta: --layers %d --hidden %d make %d parameter arrays, the file lists %d", m.layers, m.hidden, len(want), len(c.Meta.Params))
	}
	for i, p := range want {
		a, ok := c.Arrays[p.name]
		switch {
		case c.Meta.Params[i] != p.name:
			return graph.Config{}, fmt.Errorf("meta: parameter %d is %q, want %s", i, c.Meta.Params[i], p.name)
		case !ok:
			return graph.Config{}, fmt.Errorf("parameter %s missing", p.name)
		case !slices.Equal(a.Shape, p.shape):
			return graph.Config{}, fmt.Errorf("parameter %s: shape %v in the file, the model needs %v (--layers %d --hidden %d, %d inputs)", p.name, a.Shape, p.shape, m.layers, m.hidden, cfg.Inputs)
		}
	}
	return cfg, nil
}
