package memory_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/memory"
)

// Check refuses a run over its Limit with bbb's one line, naming the
// largest term's setting; a run under it passes; a Limit never raises the
// bound past the machine's memory and swap.
func TestCheck(t *testing.T) {
	big := memory.Sizes{Points: 900000, Hidden: 20, Layers: 5, Samples: 2, Workers: 1, Inputs: 1, DtypeBytes: 4}
	need, _ := memory.Estimate(big)
	l, err := memory.ParseLimit("100M")
	if err != nil {
		t.Fatal(err)
	}
	l100M := l
	err = memory.Check(big, l)
	var e *memory.TooLargeError
	if !errors.As(err, &e) || e.Over != memory.OverLimit || e.From != "--points 900000" || e.Need != need || e.Have != 100<<20 || e.Limit != l {
		t.Fatalf("Check over 100M: %#v", err)
	}
	if want := fmt.Sprintf("--points 900000: the run needs about %s of memory, over --max-memory 100.0 MiB", memory.Format(need)); e.Error() != want {
		t.Errorf("message %q, want %q", e.Error(), want)
	}
	if l, _ := memory.NewLimit(need); memory.Check(big, l) != nil {
		t.Errorf("a run at its limit (%s) refused", memory.Format(need))
	}
	machine := memory.Machine()
	if machine == 0 {
		t.Skip("no /proc/meminfo or cgroup limit")
	}
	huge := big
	huge.Points = 1e12
	need, _ = memory.Estimate(huge)
	l, _ = memory.ParseLimit("16EiB")
	err = memory.Check(huge, l)
	want := fmt.Sprintf("--points 1000000000000: the run needs about %s of memory, over this machine's %s of memory and swap (--max-memory 16.0 EiB cannot raise that)",
		memory.Format(need), memory.Format(machine))
	if !errors.As(err, &e) || e.Over != memory.OverMachine || e.Have != machine || err.Error() != want {
		t.Errorf("Check past the machine: %v, want %q", err, want)
	}
	// A limit under the machine's memory is the bound a run past both
	// exceeds: it is named, not the machine's (which it did not raise).
	err = memory.Check(huge, l100M)
	if !errors.As(err, &e) || e.Over != memory.OverLimit || e.Have != 100<<20 || !strings.HasSuffix(err.Error(), "over --max-memory 100.0 MiB") {
		t.Errorf("Check past the machine and a lower limit: %v", err)
	}
	if avail := memory.Available(); avail > 0 {
		if !(avail <= machine) {
			t.Errorf("available %s above the machine's %s", memory.Format(avail), memory.Format(machine))
		}
		err = memory.Check(huge, memory.Limit{})
		if !errors.As(err, &e) || e.Over != memory.OverAvailable || e.Limit != (memory.Limit{}) || !(e.Have > 0 && e.Have <= machine) ||
			err.Error() != fmt.Sprintf("--points 1000000000000: the run needs about %s of memory, over the %s available", memory.Format(need), memory.Format(e.Have)) {
			t.Errorf("Check over the available memory: %v", err)
		}
	}
}

// The message for each bound, from the error's fields alone.
func TestTooLargeErrorMessage(t *testing.T) {
	l, _ := memory.ParseLimit("1T")
	for _, tc := range []struct {
		e    memory.TooLargeError
		want string
	}{
		{memory.TooLargeError{From: "--hidden 3000", Need: 3 << 30, Have: 2 << 30, Over: memory.OverAvailable},
			"--hidden 3000: the run needs about 3.0 GiB of memory, over the 2.0 GiB available"},
		{memory.TooLargeError{From: "--layers 64", Need: 3 << 30, Have: 100 << 20, Over: memory.OverLimit, Limit: l},
			"--layers 64: the run needs about 3.0 GiB of memory, over --max-memory 100.0 MiB"},
		{memory.TooLargeError{From: "--points 1000000000000", Need: 3 << 40, Have: 16 << 30, Over: memory.OverMachine, Limit: l},
			"--points 1000000000000: the run needs about 3.0 TiB of memory, over this machine's 16.0 GiB of memory and swap (--max-memory 1.0 TiB cannot raise that)"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.e, got, tc.want)
		}
	}
}
