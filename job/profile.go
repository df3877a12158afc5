package job

import (
	"bytes"
	"io"
	"runtime/pprof"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// StartCPUProfile starts a pprof CPU profile, held in memory, and returns
// the function that stops it: with write true it writes the profile to
// path atomically (a whole file or the previous one), unless cancelled
// reports true then (an interrupted run writes none); the first call
// decides and later ones do nothing. It suits Hooks.Profile:
//
//	Hooks{Profile: func() (func(bool) error, error) { return StartCPUProfile("cpu.prof", nil) }}
//
// A nil cancelled never cancels. Only one profile can run at a time in a
// process (pprof.StartCPUProfile's error otherwise).
func StartCPUProfile(path string, cancelled func() bool) (stop func(write bool) error, err error) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, err
	}
	stopped := false
	return func(write bool) error {
		if stopped {
			return nil
		}
		stopped = true
		pprof.StopCPUProfile()
		if !write || (cancelled != nil && cancelled()) {
			return nil
		}
		return atomicio.WriteFile(path, func(w io.Writer) error { _, err := buf.WriteTo(w); return err })
	}, nil
}
