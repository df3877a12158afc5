package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SubmitError is sbatch missing or refusing the array: nothing was
// submitted. Its message is sbatch's, in one line.
type SubmitError struct{ Msg string }

func (e *SubmitError) Error() string { return e.Msg }

// NoSbatch is the error of a machine without Slurm's client commands.
const NoSbatch = "sbatch: not found on PATH: --on slurm needs Slurm's client commands where bbb runs (docs/SWEEP.md)"

// ArrayScript is the job script's name in DIR/slurm.
const ArrayScript = "array.sbatch"

// Submit hands the pending points to Slurm as one job array (one task
// per point, the task's index the point's) and returns its job id. opts
// are sbatch's options (partition, time, mem, gres, cpus-per-task,
// account, qos); each task runs `exe sweep --task DIR INDEX`.
func Submit(ctx context.Context, exe, dir string, pending []Point, opts map[string]string) (string, error) {
	if _, err := exec.LookPath("sbatch"); err != nil {
		return "", &SubmitError{NoSbatch}
	}
	if len(pending) == 0 {
		return "", errors.New("sweep: no points to submit")
	}
	for _, sub := range []string{"slurm", "logs", "status", "runs"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o777); err != nil {
			return "", err
		}
	}
	var s strings.Builder
	s.WriteString("#!/bin/sh\n# Written by bbb sweep: one task per grid point (DIR/sweep.json).\n")
	fmt.Fprintf(&s, "#SBATCH --job-name=bbb-sweep\n#SBATCH --output=%s\n", filepath.Join(dir, "logs", "slurm-%A_%a.out"))
	for _, k := range SlurmKeys {
		if v := opts[k]; v != "" {
			fmt.Fprintf(&s, "#SBATCH --%s=%s\n", k, v)
		}
	}
	fmt.Fprintf(&s, "exec %s sweep --task %s \"$SLURM_ARRAY_TASK_ID\"\n", shellQuote(exe), shellQuote(dir))
	script := filepath.Join(dir, "slurm", ArrayScript)
	if err := os.WriteFile(script, []byte(s.String()), 0o755); err != nil {
		return "", err
	}
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "sbatch", "--parsable", "--array="+arrayRanges(pending), script)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := sbatchMessage(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", &SubmitError{"sbatch: " + msg}
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out.String()), ";") // --parsable: id[;cluster]
	if _, err := strconv.Atoi(id); err != nil {
		return "", &SubmitError{fmt.Sprintf("sbatch: unexpected reply %q (want a job id)", oneLine(out.String()))}
	}
	return id, nil
}

// arrayRanges writes the points' indices as sbatch's --array list: 0-3,7.
func arrayRanges(points []Point) string {
	var parts []string
	for i := 0; i < len(points); {
		j := i
		for j+1 < len(points) && points[j+1].Index == points[j].Index+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(points[i].Index))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", points[i].Index, points[j].Index))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// sbatchMessage is sbatch's error output in one line, without its
// "sbatch: error: " prefixes.
func sbatchMessage(s string) string {
	var parts []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "sbatch: ")
		line = strings.TrimPrefix(line, "error: ")
		if line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, "; ")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// activeStates are the Slurm job states of a task that has not ended.
var activeStates = map[string]bool{"PENDING": true, "RUNNING": true, "CONFIGURING": true, "COMPLETING": true,
	"SUSPENDED": true, "REQUEUED": true, "REQUEUE_HOLD": true, "REQUEUE_FED": true, "RESIZING": true, "SIGNALING": true, "STAGE_OUT": true}

// TaskStates asks squeue for the array's tasks: index -> state (PENDING,
// RUNNING, COMPLETED, FAILED, TIMEOUT, ...). Slurm forgets ended jobs after
// MinJobAge (300 s by default): an empty map then.
func TaskStates(ctx context.Context, job string) (map[int]string, error) {
	out, err := exec.CommandContext(ctx, "squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%K|%T").Output()
	states := map[int]string{}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(string(ee.Stderr), "Invalid job id") {
			return states, nil // ended and forgotten
		}
		return nil, fmt.Errorf("squeue: %s", oneLine(string(exitStderr(err))))
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, st, ok := strings.Cut(strings.TrimSpace(line), "|")
		if i, err := strconv.Atoi(k); ok && err == nil {
			states[i] = st
		}
	}
	return states, nil
}

func exitStderr(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return ee.Stderr
	}
	return []byte(err.Error())
}

// Wait polls squeue every poll until no task of the job is pending or
// running, reporting changes through progress, and returns the tasks'
// last known states. It returns ctx's error when ctx is cancelled.
func Wait(ctx context.Context, job string, poll time.Duration, progress func(counts string)) (map[int]string, error) {
	last := map[int]string{}
	prev := ""
	for {
		states, err := TaskStates(ctx, job)
		if err != nil && ctx.Err() == nil {
			return last, err
		}
		if ctx.Err() != nil {
			return last, ctx.Err()
		}
		active := 0
		count := map[string]int{}
		for i, st := range states {
			last[i] = st
			count[st]++
			if activeStates[st] {
				active++
			}
		}
		if c := countText(count); c != prev && progress != nil {
			progress(c)
			prev = c
		}
		if active == 0 {
			return last, nil
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(poll):
		}
	}
}

func countText(count map[string]int) string {
	var parts []string
	for _, st := range []string{"PENDING", "RUNNING", "COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "OUT_OF_MEMORY", "NODE_FAIL"} {
		if count[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[st], strings.ToLower(st)))
		}
	}
	return strings.Join(parts, ", ")
}

// Cancel cancels the job's tasks (scancel): pending ones never start,
// running ones get SIGTERM and stop as bbb train does at a signal.
func Cancel(job string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "scancel", job).CombinedOutput(); err != nil {
		return fmt.Errorf("scancel %s: %v: %s", job, err, oneLine(string(out)))
	}
	return nil
}

// Active reports whether Slurm still runs or holds a task of job.
func Active(ctx context.Context, job string) bool {
	states, err := TaskStates(ctx, job)
	if err != nil {
		return false
	}
	for _, st := range states {
		if activeStates[st] {
			return true
		}
	}
	return false
}
