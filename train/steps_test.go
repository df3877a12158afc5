package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Run takes a resident network's steps back to back and reads their
// losses from the log in chunks; the losses are the ones Step returns one
// at a time, for every epoch (chunks cut by reports and by LossFlush).
func TestRunChunksMatchStep(t *testing.T) {
	forEachKind(t, func(t *testing.T, dt tensor.Dtype, resident bool) {
		cfg := tinyConfig(dt, resident)
		cfg.Epochs, cfg.ReportEvery = LossFlush+40, 7
		if resident {
			cfg.ReportEvery = LossFlush + 30 // one chunk of LossFlush, then 30, then 10
		}
		run, _ := newTestTrainer(t, cfg)
		reports, err := run.Run(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		one, _ := newTestTrainer(t, cfg)
		if len(run.TrainLosses) != cfg.Epochs || len(run.StepSeconds) != cfg.Epochs {
			t.Fatalf("%d losses, %d step times, want %d", len(run.TrainLosses), len(run.StepSeconds), cfg.Epochs)
		}
		for e := 1; e <= cfg.Epochs; e++ {
			loss, err := one.Step()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := run.TrainLosses[e-1], loss/float64(run.trainLen); got != want {
				t.Fatalf("epoch %d: Run's loss %v, Step's %v", e, got, want)
			}
		}
		for _, r := range reports {
			if r.TrainLoss != run.TrainLosses[r.Epoch-1] {
				t.Errorf("report at %d: train loss %v, the epoch's %v", r.Epoch, r.TrainLoss, run.TrainLosses[r.Epoch-1])
			}
		}
		if _, err := one.Step(); err == nil {
			t.Error("Step past the last epoch: want an error")
		}
	})
}

// Steps(n) takes n steps (stopping at the last epoch) and returns the loss
// of the last, the one Step would have returned.
func TestStepsReturnsTheLastLoss(t *testing.T) {
	cfg := tinyConfig(tensor.Float64, true)
	cfg.Epochs = 12
	a, _ := newTestTrainer(t, cfg)
	b, _ := newTestTrainer(t, cfg)
	la, err := a.Steps(5)
	if err != nil {
		t.Fatal(err)
	}
	var lb float64
	for i := 0; i < 5; i++ {
		if lb, err = b.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if la != lb || a.Epoch() != 5 {
		t.Errorf("Steps(5) = %v at epoch %d; 5 Steps: %v", la, a.Epoch(), lb)
	}
	if _, err := a.Steps(100); err != nil || a.Epoch() != cfg.Epochs {
		t.Errorf("Steps past the end: epoch %d, err %v; want %d, nil", a.Epoch(), err, cfg.Epochs)
	}
}

var epochRE = regexp.MustCompile(`at epoch (\d+):`)

// divergedAt is the epoch an ErrDiverged error names.
func divergedAt(t *testing.T, err error) int {
	t.Helper()
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("err = %v, want ErrDiverged", err)
	}
	m := epochRE.FindStringSubmatch(fmt.Sprint(err))
	if m == nil {
		t.Fatalf("%v names no epoch", err)
	}
	e, _ := strconv.Atoi(m[1])
	return e
}

// A resident run that blows up mid-chunk names the first epoch whose loss
// is not finite, the one that stepping one at a time finds.
func TestResidentDivergenceNamesTheEpoch(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	cfg.Epochs, cfg.ReportEvery, cfg.LearningRate = 200, 200, 1e30
	one, _ := newTestTrainer(t, cfg)
	var want int
	for e := 1; e <= cfg.Epochs && want == 0; e++ {
		if _, err := one.Step(); err != nil {
			want = divergedAt(t, err)
		}
	}
	if want < 2 {
		t.Fatalf("the loss diverged at epoch %d: want a later epoch, inside a chunk", want)
	}
	run, _ := newTestTrainer(t, cfg)
	_, err := run.Run(context.Background(), nil)
	if got := divergedAt(t, err); got != want {
		t.Errorf("Run: diverged at epoch %d; one Step at a time: %d", got, want)
	}
	// The losses of every epoch up to the divergence are kept, its NaN last.
	if n := len(run.TrainLosses); n != want || !math.IsNaN(run.TrainLosses[n-1]) && !math.IsInf(run.TrainLosses[n-1], 0) {
		t.Errorf("after the divergence at %d: %d training losses, the last %v", want, n, run.TrainLosses[n-1])
	}
	if len(run.StepSeconds) != len(run.TrainLosses) {
		t.Errorf("%d step times for %d losses", len(run.StepSeconds), len(run.TrainLosses))
	}
}

// StepSeconds shares a chunk's wall time among its steps: together they
// take no longer than the run.
func TestStepSecondsShareTheChunk(t *testing.T) {
	for _, resident := range []bool{false, true} {
		cfg := tinyConfig(tensor.Float32, resident)
		cfg.Epochs, cfg.ReportEvery = 60, 30
		tr, _ := newTestTrainer(t, cfg)
		t0 := time.Now()
		if _, err := tr.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		wall := time.Since(t0).Seconds()
		var sum float64
		for _, s := range tr.StepSeconds {
			if !(s > 0) {
				t.Fatalf("resident=%v: step time %v", resident, s)
			}
			sum += s
		}
		if len(tr.StepSeconds) != cfg.Epochs || sum > wall {
			t.Errorf("resident=%v: %d step times summing to %v s in a run of %v s", resident, len(tr.StepSeconds), sum, wall)
		}
	}
}

// spyVM wraps a trainer's machine: it records, at each run, whether the
// run pulls the parameters back, and fails the run numbered failAt (from 1).
type spyVM struct {
	G.VM
	tr     *Trainer
	runs   int
	failAt int
	pulls  []int // the runs that pulled
}

func (v *spyVM) RunAll() error {
	v.runs++
	if v.tr.Net.Store.PullPending() {
		v.pulls = append(v.pulls, v.runs)
	}
	if v.runs == v.failAt {
		return errors.New("planted failure")
	}
	return v.VM.RunAll()
}

func spyOn(t *testing.T, cfg Config) (*Trainer, *spyVM) {
	t.Helper()
	tr, _ := newTestTrainer(t, cfg)
	spy := &spyVM{VM: tr.vm, tr: tr}
	tr.vm = spy
	return tr, spy
}

// A resident run pulls the parameters back at every report epoch and at
// the last one, and at no other.
func TestResidentPullsAtReports(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	cfg.Epochs, cfg.ReportEvery = 12, 5
	tr, spy := spyOn(t, cfg)
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(spy.pulls) != "[5 10 12]" {
		t.Errorf("pulls at runs %v, want [5 10 12]", spy.pulls)
	}
}

// A run that fails mid-chunk stops there: its error names the epoch, the
// steps before it keep their losses, and no step runs after it.
func TestResidentRunFailureMidChunk(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	cfg.Epochs, cfg.ReportEvery = 40, 40
	tr, spy := spyOn(t, cfg)
	spy.failAt = 7
	_, err := tr.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "epoch 7: planted failure") {
		t.Fatalf("err = %v, want the planted failure at epoch 7", err)
	}
	if spy.runs != 7 || tr.Epoch() != 6 || len(tr.TrainLosses) != 6 {
		t.Errorf("%d runs, epoch %d, %d losses; want 7, 6, 6", spy.runs, tr.Epoch(), len(tr.TrainLosses))
	}
}

// countCtx is a context whose Err turns to Canceled at its n-th call.
type countCtx struct {
	context.Context
	calls, n int
}

func (c *countCtx) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

// Cancelling stops a resident run between two steps of a chunk; the steps
// taken keep their losses.
func TestResidentRunStopsOnCancelMidChunk(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	cfg.Epochs, cfg.ReportEvery = 40, 40
	tr, spy := spyOn(t, cfg)
	ctx := &countCtx{Context: context.Background(), n: 6} // Run's check, then one per step
	_, err := tr.Run(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if spy.runs != 4 || tr.Epoch() != 4 || len(tr.TrainLosses) != 4 {
		t.Errorf("%d runs, epoch %d, %d losses; want 4, 4, 4", spy.runs, tr.Epoch(), len(tr.TrainLosses))
	}
}

// Steps over more than LossFlush steps takes them all, in several chunks;
// a step past the last epoch names the epoch it would have been.
func TestStepsPastOneChunk(t *testing.T) {
	cfg := tinyConfig(tensor.Float32, true)
	cfg.Epochs = LossFlush + 8
	tr, _ := spyOn(t, cfg)
	if _, err := tr.Steps(LossFlush + 5); err != nil || tr.Epoch() != LossFlush+5 {
		t.Fatalf("Steps(%d): epoch %d, err %v", LossFlush+5, tr.Epoch(), err)
	}
	if _, err := tr.Steps(10); err != nil || tr.Epoch() != cfg.Epochs {
		t.Fatalf("Steps past the end: epoch %d, err %v", tr.Epoch(), err)
	}
	want := fmt.Sprintf("epoch %d: past the last epoch %d", cfg.Epochs+1, cfg.Epochs)
	if _, err := tr.Step(); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Step past the end: err = %v, want %q", err, want)
	}
}
