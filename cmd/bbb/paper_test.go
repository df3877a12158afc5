package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The research flags (issue 8): every bad value and combination is one
// line naming the flag, exit 2, before any work.
func TestPaperFlagsBadInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	type tc struct {
		args []string
		want string
	}
	cases := []tc{
		{[]string{"--prior", "cauchy"}, "--prior"},
		{[]string{"--kl", "exact"}, "--kl"},
		{[]string{"--prior", "mixture", "--kl", "closed"}, "--kl closed"},
	}
	for _, fl := range []string{"--prior-pi", "--prior-sigma1", "--prior-sigma2"} {
		for _, v := range []string{"0", "-1", "NaN", "Inf", "x"} {
			cases = append(cases, tc{[]string{fl, v}, strings.TrimPrefix(fl, "--")})
		}
	}
	cases = append(cases, tc{[]string{"--prior-pi", "1"}, "--prior-pi"})
	for _, c := range cases {
		args := append([]string{"train", "--out", out}, c.args...)
		code, _, stderr := runCLI(args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, exitUsage, stderr)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: stderr %q: want one line naming %q", c.args, stderr, c.want)
		}
	}
}

// A short run with each new option trains and writes its summary.
func TestPaperFlagsRun(t *testing.T) {
	for _, args := range [][]string{
		{"--prior", "mixture", "--prior-sigma2", "0.0003"},
		{"--kl", "closed", "--dtype", "float64"},
	} {
		out := t.TempDir()
		a := append([]string{"train", "--epochs", "20", "--points", "200", "--samples", "10", "--no-figures", "-q", "--out", out}, args...)
		if code, _, stderr := runCLI(a...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
}
