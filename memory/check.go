package memory

import (
	"fmt"
	"strconv"
)

// Bound is what a run's estimate exceeded.
type Bound int

const (
	// OverAvailable: the memory the machine has available now (the zero
	// Limit).
	OverAvailable Bound = iota
	// OverLimit: the Limit given.
	OverLimit
	// OverMachine: the machine's memory and swap, which a Limit cannot
	// raise: past them the allocation fails, and Go ends the process with
	// a fatal error (no recover) after the run has begun.
	OverMachine
)

// TooLargeError is Check's refusal of a run: its estimate, the memory it
// exceeded, and the setting of its largest part, which is the one to
// lower. Its message is one line and starts with that setting.
type TooLargeError struct {
	From  string  // the setting of the estimate's largest part (Term.From)
	Need  float64 // the estimate in bytes
	Have  float64 // the bytes of the bound exceeded (Available, the Limit, Machine)
	Over  Bound   // which bound Need exceeded
	Limit Limit   // the Limit Check was given (zero for none)
}

// Error is bbb's one-line refusal: the setting, the estimate and the
// bound exceeded.
func (e *TooLargeError) Error() string {
	switch e.Over {
	case OverMachine:
		return fmt.Sprintf("%s: the run needs about %s of memory, over this machine's %s of memory and swap (--max-memory %s cannot raise that)",
			e.From, Format(e.Need), Format(e.Have), Format(e.Limit.bytes))
	case OverLimit:
		return fmt.Sprintf("%s: the run needs about %s of memory, over --max-memory %s", e.From, Format(e.Need), Format(e.Have))
	}
	return fmt.Sprintf("%s: the run needs about %s of memory, over the %s available", e.From, Format(e.Need), Format(e.Have))
}

// Check refuses, with a *TooLargeError, a run whose estimate exceeds the
// limit (named where it is under the machine's memory and swap), or the
// machine's memory and swap whatever the limit (named where the limit is
// above them), or, for the zero Limit, the memory available now. nil where the run fits, or where
// the machine's memory is unknown (no /proc/meminfo and no cgroup limit).
func Check(s Sizes, limit Limit) error {
	need, top := Estimate(s)
	if limit.bytes > 0 {
		total := Machine()
		if need > limit.bytes && (total <= 0 || limit.bytes <= total) { // (the limit binds: it is the one to name)
			return &TooLargeError{From: top.From, Need: need, Have: limit.bytes, Over: OverLimit, Limit: limit}
		}
		if total > 0 && need > total {
			return &TooLargeError{From: top.From, Need: need, Have: total, Over: OverMachine, Limit: limit}
		}
		return nil
	}
	if avail := Available(); avail > 0 && need > avail {
		return &TooLargeError{From: top.From, Need: need, Have: avail, Over: OverAvailable}
	}
	return nil
}

// Format writes bytes in the largest binary unit under them, with one
// decimal: "1.5 GiB", "800.0 MiB", "12.0 B".
func Format(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return strconv.FormatFloat(b, 'f', 1, 64) + " " + units[i]
}
