package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
)

// The memory estimate and its check are the memory package's; here are
// the flag, the CLI's refusal (a usage error, exit 2), and bandit's sizes.

// registerMaxMemory adds --max-memory to a command that has the memory
// check.
func registerMaxMemory(fs *flag.FlagSet, l *memory.Limit) {
	fs.Var(l, "max-memory", "memory the run may use, e.g. 12GiB or 800M (default: what the machine has available); "+
		"a run estimated above it is refused before it starts (docs/MEMORY.md)")
}

// checkMemory refuses a run whose estimate exceeds --max-memory, or the
// available memory without it, naming the setting of its largest part.
func checkMemory(s memory.Sizes, limit memory.Limit) error {
	return checkMemoryHint(s, limit, " (--max-memory overrides)")
}

// checkMemoryHint is checkMemory with the hint that follows a refusal over
// the available memory (none for a command without --max-memory). The
// workers' default is this build's (one on the GPU).
func checkMemoryHint(s memory.Sizes, limit memory.Limit, hint string) error {
	if s.DefaultWorkers == 0 {
		s.DefaultWorkers = defaultWorkers()
	}
	err := memory.Check(s, limit)
	var e *memory.TooLargeError
	if !errors.As(err, &e) {
		return err
	}
	if e.Over == memory.OverAvailable {
		return usagef("%s%s", e, hint)
	}
	return usagef("%s", e)
}

// checkBanditSizes bounds bandit's sizes before any work: --depth by the
// layers a graph may have, --hidden by checkDesc, and the memory of every
// agent's graph (--batch rows), parameters and --buffer against what is
// available. width is the mushrooms' one-hot context.
func checkBanditSizes(c bandit.Config, width int, limit memory.Limit) error {
	c = c.WithDefaults()
	if c.Depth >= modelfile.MaxLayers {
		return usagef("--depth %d: want 1 to %d (the graph's layers are --depth + 1, at most %d)", c.Depth, modelfile.MaxLayers-1, modelfile.MaxLayers)
	}
	if err := checkDescAs(c.Graph(width), "--hidden", "layers (--depth + 1)"); err != nil {
		return err
	}
	s := c.MemorySizes(width)
	s.PointsFrom, s.HiddenFrom, s.LayersFrom = fmt.Sprintf("--batch %d", c.Batch), fmt.Sprintf("--hidden %d", c.Hidden), fmt.Sprintf("--depth %d", c.Depth)
	return checkMemory(s, limit)
}
