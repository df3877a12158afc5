package interrupt

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
)

// EnterStage names the stage, calls the hook, and returns the context's
// error; SetStage only names it; before any, the stage is "start-up".
func TestStages(t *testing.T) {
	SetStage("")
	if got := CurrentStage(); got != "start-up" {
		t.Errorf("no stage: %q, want start-up", got)
	}
	var hooked []string
	Hooks.Stage = func(_ context.Context, name string) { hooked = append(hooked, name) }
	defer func() { Hooks.Stage = nil }()
	ctx, cancel := context.WithCancelCause(context.Background())
	if err := EnterStage(ctx, "training"); err != nil || CurrentStage() != "training" {
		t.Errorf("EnterStage: %v, stage %q", err, CurrentStage())
	}
	SetStage("training (after epoch 3 of 10)")
	if got := CurrentStage(); got != "training (after epoch 3 of 10)" {
		t.Errorf("SetStage: %q", got)
	}
	cancel(Signal{syscall.SIGTERM})
	if err := EnterStage(ctx, "summary"); !errors.Is(err, context.Canceled) || CurrentStage() != "summary" {
		t.Errorf("cancelled EnterStage: %v, stage %q", err, CurrentStage())
	}
	if len(hooked) != 2 || hooked[0] != "training" || hooked[1] != "summary" {
		t.Errorf("hook saw %q", hooked)
	}
	se, ok := Cause(ctx)
	if !ok || se.Error() != "interrupted by SIGTERM" || se.ExitCode() != 143 {
		t.Errorf("Cause: %v %v, exit %d", se, ok, se.ExitCode())
	}
	if se, ok := Cause(context.Background()); ok {
		t.Errorf("Cause of a live context: %v", se)
	}
	if got := (Signal{os.Interrupt}).Error(); got != "interrupted by SIGINT" {
		t.Errorf("SIGINT: %q", got)
	}
}

// stop ends the handling: the context is cancelled without a Signal cause.
func TestStopWithoutSignal(t *testing.T) {
	ctx, stop := NotifyContext(os.Stderr)
	stop()
	stop() // later calls do nothing
	if ctx.Err() == nil {
		t.Error("context live after stop")
	}
	if se, ok := Cause(ctx); ok {
		t.Errorf("Cause after stop: %v", se)
	}
}
