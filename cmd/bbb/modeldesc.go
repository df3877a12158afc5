package main

import (
	"errors"

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
func checkDesc(c graph.Config) error {
	var e *modelfile.SizeError
	if !errors.As(modelfile.CheckSize(c, descMemory()), &e) {
		return nil
	}
	return usagef("%s", e.Named("--hidden", "--layers"))
}

// checkpointDesc returns the model a file describes, validated before
// anything is built (job.FileConfig, in this build's backend, against
// descMemory). Errors are bare; readModel adds the flag and the file.
func checkpointDesc(c *modelfile.File) (graph.Config, error) {
	return job.FileConfig(c, cudaBuild, descMemory())
}
