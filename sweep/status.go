package sweep

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// The states of a point's last attempt.
const (
	StateOK      = "ok"
	StateFailed  = "failed"
	StateRunning = "running" // started and not (yet) ended: a task killed hard leaves this
	StateNotRun  = "not run"
)

// Status is a point's last attempt, DIR/status/<point>.json.
type Status struct {
	State       string  `json:"state"`
	Reason      string  `json:"reason,omitempty"` // why it failed
	WallSeconds float64 `json:"wall_seconds"`
	Threads     int     `json:"threads"`
	Log         string  `json:"log"`
	// RunArgs are the train flags of the run whose summary.json the
	// point's folder holds (Point.Args, set when a run finishes, kept by
	// an attempt that fails): a run of flags the grid no longer gives is
	// not done (Plan.Pending), even if an attempt at the new ones failed.
	RunArgs []string `json:"run_args,omitempty"`
}

func statusPath(dir string, p Point) string {
	return filepath.Join(dir, "status", p.Name+".json")
}

// LogPath is the point's train output.
func LogPath(dir string, p Point) string { return filepath.Join(dir, "logs", p.Name+".log") }

func writeStatus(dir string, p Point, s Status) error {
	return atomicio.WriteFile(statusPath(dir, p), func(w io.Writer) error { return json.NewEncoder(w).Encode(s) })
}

// ReadStatus is the point's last attempt; ok is false if it never started.
func ReadStatus(dir string, p Point) (s Status, ok bool) {
	b, err := os.ReadFile(statusPath(dir, p))
	if err != nil || json.Unmarshal(b, &s) != nil {
		return Status{}, false
	}
	return s, true
}

// summary reads the point's summary.json: nil unless the run finished.
func summary(dir string, p Point) map[string]any {
	b, err := os.ReadFile(filepath.Join(p.RunDir(dir), "summary.json"))
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// Done reports whether the point's run finished: its folder holds a
// summary.json (train writes it last, and the folder appears whole).
func Done(dir string, p Point) bool { return summary(dir, p) != nil }

// note is what a report line says after a point's name: its reason and
// its log, each if it has one.
func (s Status) note() string {
	out := ""
	if s.Reason != "" {
		out += ": " + s.Reason
	}
	if s.Log != "" {
		out += " (log: " + s.Log + ")"
	}
	return out
}

// recordRunArgs records, in the status of each finished point of prev
// (the plan in the folder, before a new one replaces it) that has none,
// the flags of its run: prev's. A folder of a sweep from before statuses
// recorded them keeps, so, what its runs were once the plan is rewritten.
func recordRunArgs(dir string, prev *Plan) {
	for _, q := range prev.Points {
		st, ok := ReadStatus(dir, q)
		if !Done(dir, q) || (ok && st.RunArgs != nil) {
			continue
		}
		if !ok {
			st = Status{State: StateOK, Log: LogPath(dir, q)}
		}
		st.RunArgs = q.Args
		_ = writeStatus(dir, q, st) // (a record: without it the plan's comparison stands)
	}
}
