package main

import (
	"errors"
	"fmt"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
)

// A model description is what sizes a network: layers, widths, inputs,
// outputs and the likelihood's extra outputs or parameter. It comes from
// the flags (train, bench, dot) or from a model file (predict, prune,
// --resume, --from), and is checked, once, before anything is built
// (modelfile.CheckSize, and for a file modelfile.File.CheckParams); here
// the errors are worded with the flags that set each size.

// descMemory is the memory checkDesc compares with (tests set it).
var descMemory = memory.Available

// checkDesc validates a model description: each size within its bound,
// the weights' count, and their memory against what is available. The
// error names the flag that sets the size ("--layers 500: ..."). Zero
// sizes are graph.Config's defaults: callers refuse a 0 from the user.
func checkDesc(c graph.Config) error { return checkDescAs(c, "--hidden", "--layers") }

// checkDescAs is checkDesc naming the width and depth by the flags given
// (bench's --hidden-sizes and --layers-list).
func checkDescAs(c graph.Config, hiddenFlag, layersFlag string) error {
	var e *modelfile.SizeError
	if !errors.As(modelfile.CheckSize(c, descMemory()), &e) {
		return nil
	}
	return usagef("%s", e.Named(hiddenFlag, layersFlag))
}

// checkpointDesc returns the model a file describes, validated before
// anything is built: its settings parsed as train's flags (modelfile.File.RunFlags), its
// inputs and classes, every size within checkDesc's bounds, and every
// parameter that model has in the file under its name with its shape
// (modelfile.File.CheckParams). Errors are bare; readModel adds the flag
// and the file.
func checkpointDesc(c *modelfile.File) (graph.Config, error) {
	m, fs := runFlagSet("meta")
	recorded := c.RunFlags()
	for _, n := range runFlagNames() {
		if v, ok := recorded[n]; ok {
			if err := fs.Set(n, v); err != nil {
				return graph.Config{}, fmt.Errorf("meta: flag --%s %q: %v", n, v, err)
			}
		}
	}
	if _, err := job.ParseDtype(m.Dtype); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", flagError(err))
	}
	if m.Layers < 1 || m.Hidden < 1 { // (graph.Config takes 0 for its default)
		return graph.Config{}, fmt.Errorf("meta: --layers %d --hidden %d: need at least 1 each", m.Layers, m.Hidden)
	}
	cfg := m.graphConfig()
	cfg.Inputs = c.Model.Network.Inputs
	if c.Model.Network.Task == graph.Classification.String() {
		cfg.Task, cfg.Classes = graph.Classification, c.Model.Network.Classes
	}
	if err := checkDesc(cfg); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	if err := cfg.WithDefaults().Validate(); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	var e *modelfile.ParamError
	if err := c.CheckParams(cfg); err == nil {
		return cfg, nil
	} else if !errors.As(err, &e) {
		return graph.Config{}, err
	}
	switch e.Kind {
	case modelfile.ParamCount:
		return graph.Config{}, fmt.Errorf("meta: --layers %d --hidden %d make %d parameter arrays, the file lists %d", m.Layers, m.Hidden, e.Want, e.ListedCount)
	case modelfile.ParamShape:
		return graph.Config{}, fmt.Errorf("parameter %s: shape %v in the file, the model needs %v (--layers %d --hidden %d, %d inputs)", e.Name, e.Shape, e.WantShape, m.Layers, m.Hidden, cfg.Inputs)
	}
	return graph.Config{}, e // (the name or a missing array: no flag to name)
}
