package interrupt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/internal/boundedio"
)

// hardStop is how long a cancelled run may take to return before the
// process exits without it.
const hardStop = 600 * time.Millisecond

// Signal is the cause of a context cancelled by a signal (context.Cause,
// or Cause).
type Signal struct{ Sig os.Signal }

func (e Signal) Error() string { return "interrupted by " + sigName(e.Sig) }

func sigName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGPIPE:
		return "SIGPIPE"
	}
	return s.String()
}

// ExitCode is 128 + the signal number, the shell's code for a process a
// signal ended.
func (e Signal) ExitCode() int {
	if n, ok := e.Sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

// stages records what the run is doing, for the message of an interrupted
// run, and lets tests stop at a stage (Hooks.Stage).
type stages struct {
	mu   sync.Mutex
	name string
}

var current stages

// Hooks are for tests only: Stage, if set, is called at the start of every
// stage (EnterStage), where a test may wait or hang to be signalled there.
var Hooks struct {
	Stage func(ctx context.Context, name string)
}

// EnterStage names the stage the run is now in, for the message of an
// interrupted run, and returns ctx's error if the run was cancelled: the
// run returns it and stops there.
func EnterStage(ctx context.Context, name string) error {
	SetStage(name)
	if Hooks.Stage != nil {
		Hooks.Stage(ctx, name)
	}
	return ctx.Err()
}

// SetStage renames the current stage without a check: a stage that goes
// on ("training (after epoch 3 of 10)"), or one that checks the context
// itself.
func SetStage(name string) {
	current.mu.Lock()
	current.name = name
	current.mu.Unlock()
}

// CurrentStage is the stage last named, or "start-up" before any.
func CurrentStage() string {
	current.mu.Lock()
	defer current.mu.Unlock()
	if current.name == "" {
		return "start-up"
	}
	return current.name
}

// hardExit is os.Exit; tests replace it.
var hardExit = osExit

var osExit = os.Exit

// duplicateSignal: a second signal this soon after the first is taken for
// the same one delivered twice.
const duplicateSignal = 100 * time.Millisecond

// hardStopCleanup is run before a hard exit (OnHardStop).
var hardStopCleanup struct {
	sync.Mutex
	f func()
}

// OnHardStop sets the function run before the process is ended without
// the command's return, where no deferred clean-up runs: it removes the
// staging directory and lock of the run under way (rundir's Dir.Abort),
// so a forced stop leaves no temporary files either. nil clears it; the
// last call wins.
func OnHardStop(f func()) {
	hardStopCleanup.Lock()
	hardStopCleanup.f = f
	hardStopCleanup.Unlock()
}

func runHardStopCleanup() {
	hardStopCleanup.Lock()
	f := hardStopCleanup.f
	hardStopCleanup.Unlock()
	if f != nil {
		f()
	}
}

// stopSignals stop a run: Ctrl-C, kill, a closed terminal (SIGHUP), and
// stdout or stderr a pipe whose reader has gone (`bbb sweep | head -1`:
// SIGPIPE, which would otherwise end the process where it stands, its
// staged folder and lock left behind). bbb writes no other pipe.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}

// NotifyContext returns a context cancelled (cause Signal) by the first
// of stopSignals (SIGINT, SIGTERM, SIGHUP, SIGPIPE), and a stop function that ends the handling (call it
// when the command has returned; later calls do nothing). File reads of
// internal/boundedio stop at the signal too. After a signal, a run that has
// not called stop within a grace period (600 ms), or that gets a second
// signal (not the same one delivered twice, as GNU timeout does), is
// ended: "bbb: interrupted by SIGINT during STAGE; stopped" goes to
// stderr, the OnHardStop function runs and the process exits with the
// signal's code.
func NotifyContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	boundedio.SetInterrupt(ctx) // file reads (CSV, models) stop at a signal too
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, stopSignals...)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		select {
		case s := <-sigc:
			cancel(Signal{s})
			first := time.Now()
			timeout := time.After(hardStop)
			for {
				select {
				case <-done:
					return
				case <-timeout:
				case <-sigc:
					// A second signal stops now, unless it is the same one
					// delivered twice (GNU timeout signals the process and
					// then its group).
					if time.Since(first) < duplicateSignal {
						continue
					}
				}
				se := Signal{s}
				fmt.Fprintf(stderr, "bbb: %v during %s; stopped\n", se, CurrentStage())
				runHardStopCleanup()
				atomicio.RemoveTemporaries() // (a file being written: its target stays as it was)
				hardExit(se.ExitCode())
				return
			}
		case <-done:
		}
	}()
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigc)
			boundedio.SetInterrupt(context.Background())
			close(done)
			cancel(nil)
		})
	}
}

// Cause reports the signal that cancelled ctx, if one did.
func Cause(ctx context.Context) (Signal, bool) {
	var se Signal
	if errors.As(context.Cause(ctx), &se) {
		return se, true
	}
	return se, false
}
