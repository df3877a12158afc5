//go:build unix

package interrupt

import (
	"bytes"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer is stderr written by the handler's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// signalSelf sends sig to this process, which NotifyContext catches.
func signalSelf(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
		t.Fatal(err)
	}
}

// The first signal cancels the context (cause Signal); a run that returns
// in time (stop) is not ended.
func TestSignalCancels(t *testing.T) {
	var stderr lockedBuffer
	exited := make(chan int, 1)
	hardExit = func(code int) { exited <- code }
	defer func() { hardExit = osExit }()
	ctx, stop := NotifyContext(&stderr)
	signalSelf(t, syscall.SIGTERM)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	stop()
	se, ok := Cause(ctx)
	if !ok || se.ExitCode() != 143 || se.Error() != "interrupted by SIGTERM" {
		t.Errorf("Cause: %v %v exit %d", se, ok, se.ExitCode())
	}
	time.Sleep(hardStop + 100*time.Millisecond)
	select {
	case code := <-exited:
		t.Errorf("hard exit %d after stop", code)
	default:
	}
	if stderr.String() != "" {
		t.Errorf("stderr %q, want nothing", stderr.String())
	}
}

// A run that does not return within hardStop is ended: the message, the
// OnHardStop function, the signal's exit code. A second signal (not a
// duplicate) ends it at once.
func TestHardStop(t *testing.T) {
	for _, second := range []bool{false, true} {
		var stderr lockedBuffer
		exited := make(chan int, 1)
		hardExit = func(code int) { exited <- code }
		cleaned := make(chan bool, 1)
		OnHardStop(func() { cleaned <- true })
		SetStage("figures (band_val.png)")
		ctx, stop := NotifyContext(&stderr)
		t0 := time.Now()
		signalSelf(t, syscall.SIGINT)
		<-ctx.Done()
		if second {
			time.Sleep(2 * duplicateSignal)
			signalSelf(t, syscall.SIGINT)
		}
		var code int
		select {
		case code = <-exited:
		case <-time.After(5 * time.Second):
			t.Fatal("no hard exit")
		}
		took := time.Since(t0)
		stop()
		hardExit = osExit
		OnHardStop(nil)
		if code != 130 {
			t.Errorf("second %v: exit %d, want 130", second, code)
		}
		if want := "bbb: interrupted by SIGINT during figures (band_val.png); stopped\n"; stderr.String() != want {
			t.Errorf("second %v: stderr %q, want %q", second, stderr.String(), want)
		}
		if len(cleaned) != 1 {
			t.Errorf("second %v: OnHardStop's function did not run", second)
		}
		if !second && took < hardStop {
			t.Errorf("ended after %v, before the grace of %v", took, hardStop)
		}
		if second && took >= hardStop {
			t.Errorf("second signal: ended after %v, want at once", took)
		}
	}
}

// A closed terminal (SIGHUP) and a reader of stdout or stderr that has gone
// (SIGPIPE) stop a run as SIGTERM does: the context cancelled, the shell's
// exit code 128 + n.
func TestHangupAndBrokenPipeCancel(t *testing.T) {
	hardExit = func(int) {}
	defer func() { hardExit = osExit }()
	for _, c := range []struct {
		sig  syscall.Signal
		code int
		name string
	}{{syscall.SIGHUP, 129, "SIGHUP"}, {syscall.SIGPIPE, 141, "SIGPIPE"}} {
		ctx, stop := NotifyContext(&lockedBuffer{})
		signalSelf(t, c.sig)
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%s did not cancel the context", c.name)
		}
		stop()
		if se, ok := Cause(ctx); !ok || se.ExitCode() != c.code || se.Error() != "interrupted by "+c.name {
			t.Errorf("%s: cause %v %v, exit %d", c.name, se, ok, se.ExitCode())
		}
	}
}
