package sweep

import (
	"slices"
	"strings"
	"testing"
)

// Each point's share of the cores reaches train as --threads and reaches
// both thread pools through the environment: GOMAXPROCS, and OpenBLAS's
// count, which it reads only when it loads (a grid that sets threads keeps
// its own flag, and OpenBLAS follows it).
func TestCommandThreads(t *testing.T) {
	base := []string{"HOME=/h", "OPENBLAS_NUM_THREADS=8"}
	for _, tc := range []struct {
		name     string
		threads  int
		values   map[string]string
		wantArg  string // "" for none
		wantEnv  []string
		wantNone []string
	}{
		{"share", 1, map[string]string{"lr": "0.01"}, "--threads=1",
			[]string{"GOMAXPROCS=1", "OPENBLAS_NUM_THREADS=1"}, nil},
		{"share of 3", 3, nil, "--threads=3",
			[]string{"GOMAXPROCS=3", "OPENBLAS_NUM_THREADS=3"}, nil},
		{"grid sets threads", 1, map[string]string{"threads": "2"}, "",
			[]string{"OPENBLAS_NUM_THREADS=2"}, []string{"GOMAXPROCS=1", "GOMAXPROCS=2"}},
		{"grid sets every core", 1, map[string]string{"threads": "0"}, "",
			nil, []string{"GOMAXPROCS=1", "OPENBLAS_NUM_THREADS=0", "OPENBLAS_NUM_THREADS=1"}},
		{"no share", 0, nil, "", nil, []string{"GOMAXPROCS=0", "OPENBLAS_NUM_THREADS=0"}},
	} {
		r := &Runner{Exe: "bbb", Dir: "/s", Threads: tc.threads}
		p := Point{Name: "p", Values: tc.values}
		args, env := r.command(p, base)
		if args[0] != "train" {
			t.Errorf("%s: args %q do not start with train", tc.name, args)
		}
		if got := slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--threads=") }); got != (tc.wantArg != "") || (tc.wantArg != "" && !slices.Contains(args, tc.wantArg)) {
			t.Errorf("%s: args %q, want thread flag %q", tc.name, args, tc.wantArg)
		}
		for _, e := range tc.wantEnv {
			if last := lastValue(env, e); last != e {
				t.Errorf("%s: env has %q where %q should win", tc.name, last, e)
			}
		}
		for _, e := range tc.wantNone {
			if lastValue(env, e) == e {
				t.Errorf("%s: env sets %q", tc.name, e)
			}
		}
		if !slices.Equal(env[:len(base)], base) {
			t.Errorf("%s: the base environment changed: %q", tc.name, env[:len(base)])
		}
	}
	if base[1] != "OPENBLAS_NUM_THREADS=8" {
		t.Errorf("command changed its base slice: %q", base)
	}
}

// lastValue is the entry of env for kv's key that exec uses (the last).
func lastValue(env []string, kv string) string {
	key, _, _ := strings.Cut(kv, "=")
	got := ""
	for _, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			got = e
		}
	}
	return got
}
