package main

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

	"github.com/bbb-go/bbb/internal/boundedio"
)

// A run stopped by SIGINT or SIGTERM exits 128 + the signal's number (130,
// 143) and says on stderr in which stage it stopped. The first signal
// cancels the run's context; every stage checks it (training between
// epochs, predictive sampling between passes, figures between files). If
// the run has not returned within hardStop, the process exits anyway: what
// it staged is removed by the next run into the same --out (rundir.go).

// hardStop is how long a cancelled run may take to return before the
// process exits without it.
const hardStop = 600 * time.Millisecond

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "interrupted by " + sigName(e.sig) }

func sigName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// exitCode is 128 + the signal number.
func (e signalError) exitCode() int {
	if n, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

// stages records what the run is doing, for the message of an interrupted
// run, and lets tests stop at a stage (stageHook).
type stages struct {
	mu   sync.Mutex
	name string
}

var current stages

// stageHook, if set, is called at the start of every stage (tests).
var stageHook func(ctx context.Context, name string)

// enterStage names the stage the run is now in, and returns ctx's error if
// the run was cancelled.
func enterStage(ctx context.Context, name string) error {
	current.mu.Lock()
	current.name = name
	current.mu.Unlock()
	if stageHook != nil {
		stageHook(ctx, name)
	}
	return ctx.Err()
}

func currentStage() string {
	current.mu.Lock()
	defer current.mu.Unlock()
	if current.name == "" {
		return "start-up"
	}
	return current.name
}

// hardExit is os.Exit; tests that run commands in-process replace it.
var hardExit = os.Exit

// duplicateSignal: a second signal this soon after the first is taken for
// the same one delivered twice.
const duplicateSignal = 100 * time.Millisecond

// hardExitCleanup is run before a hard exit: it removes the staging
// directory and lock of the run under way (rundir.go registers it), so a
// forced stop leaves no temporary files either.
var hardExitCleanup struct {
	sync.Mutex
	f func()
}

func setHardExitCleanup(f func()) {
	hardExitCleanup.Lock()
	hardExitCleanup.f = f
	hardExitCleanup.Unlock()
}

func runHardExitCleanup() {
	hardExitCleanup.Lock()
	f := hardExitCleanup.f
	hardExitCleanup.Unlock()
	if f != nil {
		f()
	}
}

// withSignals returns a context cancelled (cause signalError) by the first
// SIGINT or SIGTERM, and a stop function. After a signal, a run that has not
// called stop within hardStop is ended: its message goes to stderr and the
// process exits with the signal's code.
func withSignals(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	boundedio.SetInterrupt(ctx) // file reads (CSV, models) stop at a signal too
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		select {
		case s := <-sigc:
			cancel(signalError{s})
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
				se := signalError{s}
				fmt.Fprintf(stderr, "bbb: %v during %s; stopped\n", se, currentStage())
				runHardExitCleanup()
				hardExit(se.exitCode())
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

// interrupted reports the signal that cancelled ctx, if any.
func interrupted(ctx context.Context) (signalError, bool) {
	var se signalError
	if errors.As(context.Cause(ctx), &se) {
		return se, true
	}
	return se, false
}

// setStage renames the current stage without a check.
func setStage(name string) {
	current.mu.Lock()
	current.name = name
	current.mu.Unlock()
}
