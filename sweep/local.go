package sweep

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Runner runs points as `Exe train ...` subprocesses.
type Runner struct {
	Exe      string    // the bbb binary
	Dir      string    // the sweep folder
	Threads  int       // cores per point: --threads and GOMAXPROCS (unless the grid sets threads)
	Progress io.Writer // one line per finished point; nil: none
	mu       sync.Mutex
}

// stopGrace is how long a point may take to stop after SIGINT before it
// is killed (train stops within a second: package interrupt's hard stop).
const stopGrace = 5 * time.Second

// Run runs one point and records its status: ok when train exited 0 and
// wrote its summary, failed (with the log's last line) otherwise.
func (r *Runner) Run(ctx context.Context, p Point) Status {
	st := Status{State: StateRunning, Threads: r.Threads, Log: LogPath(r.Dir, p)}
	if last, ok := ReadStatus(r.Dir, p); ok {
		st.RunArgs = last.RunArgs // (the folder's run, until this one replaces it)
	}
	fail := func(reason string) Status {
		st.State, st.Reason = StateFailed, reason
		_ = writeStatus(r.Dir, p, st) // (the status is a record; the run's outcome stands without it)
		return st
	}
	for _, sub := range []string{"runs", "logs", "status"} {
		if err := os.MkdirAll(filepath.Join(r.Dir, sub), 0o777); err != nil {
			return fail(err.Error())
		}
	}
	if err := writeStatus(r.Dir, p, st); err != nil {
		return fail(err.Error())
	}
	log, err := os.Create(st.Log)
	if err != nil {
		return fail(err.Error())
	}
	defer log.Close()
	args, env := r.command(p, os.Environ())
	cmd := exec.CommandContext(ctx, r.Exe, args...)
	cmd.Env = env
	var tail tailWriter
	cmd.Stdout, cmd.Stderr = io.MultiWriter(log, &tail), io.MultiWriter(log, &tail)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) } // train stops cleanly: its stage is removed
	cmd.WaitDelay = stopGrace
	fmt.Fprintf(log, "$ %s %s\n", r.Exe, strings.Join(args, " "))
	t0 := time.Now()
	err = cmd.Run()
	st.WallSeconds = time.Since(t0).Seconds()
	switch {
	case err != nil && ctx.Err() != nil:
		return fail(context.Cause(ctx).Error()) // "interrupted by SIGTERM": a Slurm time limit or scancel
	case err != nil:
		return fail(fmt.Sprintf("%v: %s", err, tail.last()))
	case !Done(r.Dir, p):
		return fail("train exited 0 without a summary.json")
	}
	st.State, st.RunArgs = StateOK, p.Args
	_ = writeStatus(r.Dir, p, st)
	return st
}

// command is point p's train arguments and environment (base plus the
// thread settings). Each point gets its share of the cores as --threads
// and GOMAXPROCS, unless the grid sets threads, and OpenBLAS's own count
// as OPENBLAS_NUM_THREADS: read only when the library loads, it keeps
// OpenBLAS from starting a thread per core that spins for about 0.1 s of
// CPU (at two points on two cores, a quick point ran 1.24x slower).
func (r *Runner) command(p Point, base []string) (args, env []string) {
	args = append([]string{"train"}, p.TrainArgs(r.Dir)...)
	env = slices.Clone(base)
	threads := r.Threads
	if v, set := p.Values["threads"]; set {
		threads, _ = strconv.Atoi(v) // (train checks it; 0 is every core)
	} else if threads > 0 {
		args = append(args, fmt.Sprintf("--threads=%d", threads))
		env = append(env, fmt.Sprintf("GOMAXPROCS=%d", threads))
	}
	if threads > 0 {
		env = append(env, fmt.Sprintf("OPENBLAS_NUM_THREADS=%d", threads))
	}
	return args, env
}

// RunLocal runs points, jobs at a time, until all have run or ctx is
// cancelled (then the running points stop and no more start). It returns
// how many failed.
func (r *Runner) RunLocal(ctx context.Context, points []Point, jobs int) (failed int) {
	work := make(chan Point)
	var wg sync.WaitGroup
	done := 0
	for range max(1, min(jobs, len(points))) { // (no idle goroutines)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				st := r.Run(ctx, p)
				r.mu.Lock()
				done++
				if st.State != StateOK {
					failed++
				}
				if r.Progress != nil && ctx.Err() == nil {
					line := fmt.Sprintf("sweep: [%d/%d] %s %s %.1fs", done, len(points), p.Name, st.State, st.WallSeconds)
					if st.State != StateOK {
						line += ": " + st.Reason + " (log: " + st.Log + ")"
					}
					fmt.Fprintln(r.Progress, line)
				}
				r.mu.Unlock()
			}
		}()
	}
feed:
	for _, p := range points {
		select {
		case work <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return failed
}

// tailWriter keeps the last output line of a run, for its failure reason.
type tailWriter struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailWriter) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(b), nil
}

func (t *tailWriter) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(t.buf), []byte("\n"))
	s := strings.TrimSpace(string(lines[len(lines)-1]))
	if s == "" {
		return "no output"
	}
	return s
}
