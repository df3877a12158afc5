package main

import (
	"errors"
	"flag"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/memory"
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

// checkBanditSizes is bandit.Config.CheckSizes against limit (or the
// available memory), a refusal a usage error.
func checkBanditSizes(c bandit.Config, width int, limit memory.Limit) error {
	return usageOf(c.CheckSizes(width, descMemory(), func(s memory.Sizes) error { return checkMemory(s, limit) }))
}
