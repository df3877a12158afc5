package modelfile

import (
	"fmt"

	"github.com/bbb-go/bbb/memory"
)

// Named words e for a user who set the width and the depth by the names
// given (a command line's "--hidden" and "--layers"): each bound with
// what it protects, the memory in binary units. Inputs and outputs keep
// Error's words (they come from the data, not from a setting).
func (e *SizeError) Named(hidden, layers string) string {
	c := e.Config
	switch e.Kind {
	case BadLayers:
		return fmt.Sprintf("%s %d: want 1 to %d (building the graph takes time growing with the square of the layers; %d start in about a second)", layers, c.Layers, MaxLayers, MaxLayers)
	case BadHidden:
		return fmt.Sprintf("%s %d: need a value > 0", hidden, c.Hidden)
	case BadInputs, BadOutputs:
		return e.Error()
	case BadMemory:
		return fmt.Sprintf("%s %d: the run needs about %s of memory for its parameters alone (%s %d), %s is available", hidden, c.Hidden, memory.Format(e.Need), layers, c.Layers, memory.Format(e.Avail))
	case BadWidth:
		return fmt.Sprintf("%s %d: want 1 to %d", hidden, c.Hidden, MaxHidden)
	}
	return fmt.Sprintf("%s %d %s %d with %d inputs: %.3g weights, over the %d this build allows", hidden, c.Hidden, layers, c.Layers, c.Inputs, e.Weights, MaxWeights)
}
