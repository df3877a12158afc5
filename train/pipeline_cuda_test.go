//go:build cuda

package train

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A resident training step on the GPU reads nothing back to the host (a
// device-to-host copy waits for all the GPU work queued before it, which
// would leave the GPU idle while the host starts the next step): the
// compiled program has no device-to-host memcpy and one host-to-device
// copy, the step input's. The losses come from the log (TestRunOnGPU).
func TestResidentStepCopiesNothingBack(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	tr, _ := newTestTrainer(t, cfg)
	prog, _, err := G.Compile(tr.Net.Graph)
	if err != nil {
		t.Fatal(err)
	}
	// The listing's first part (up to a blank line) is the program; a
	// node-to-instruction map that repeats the instructions follows it.
	listing, _, _ := strings.Cut(fmt.Sprint(prog), "\n\n")
	var copies []string
	for _, line := range strings.Split(listing, "\n") {
		if strings.Contains(line, "memcpy(") {
			copies = append(copies, strings.TrimSpace(line))
		}
	}
	back := regexp.MustCompile(`memcpy\(CPU\d+, GPU`)
	in := regexp.MustCompile(`memcpy\(GPU\(\d+\)\d+, CPU`)
	var nBack, nIn int
	for _, c := range copies {
		if back.MatchString(c) {
			nBack++
		}
		if in.MatchString(c) {
			nIn++
		}
	}
	t.Logf("copies in a step: %q", copies)
	if nBack != 0 || nIn != 1 {
		t.Errorf("%d device-to-host and %d host-to-device copies in a step, want 0 and 1: %q", nBack, nIn, copies)
	}
}

// On the GPU, Run (steps back to back, losses from the device log) gives
// the losses Step gives one at a time.
func TestRunOnGPU(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	cfg.Epochs, cfg.ReportEvery = 40, 15
	run, _ := newTestTrainer(t, cfg)
	if _, err := run.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	one, _ := newTestTrainer(t, cfg)
	for e := 1; e <= cfg.Epochs; e++ {
		loss, err := one.Step()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := run.TrainLosses[e-1], loss/float64(run.trainLen); got != want {
			t.Fatalf("epoch %d: Run's loss %v, Step's %v", e, got, want)
		}
	}
}
