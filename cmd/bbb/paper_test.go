package main

import (
	"encoding/json"
	"os"
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
		{[]string{"--likelihood", "student"}, "--likelihood"},
	}
	for _, fl := range []string{"--prior-pi", "--prior-sigma1", "--prior-sigma2", "--min-sigma"} {
		for _, v := range []string{"0", "-1", "NaN", "Inf", "x"} {
			cases = append(cases, tc{[]string{fl, v}, strings.TrimPrefix(fl, "--")})
		}
	}
	cases = append(cases, tc{[]string{"--prior-pi", "1"}, "--prior-pi"})
	for _, fl := range []string{"--batch-size", "--mc-samples"} {
		for _, v := range []string{"-1", "NaN", "Inf", "x", "1.5"} {
			cases = append(cases, tc{[]string{fl, v}, strings.TrimPrefix(fl, "--")})
		}
	}
	cases = append(cases, tc{[]string{"--mc-samples", "0"}, "--mc-samples"},
		tc{[]string{"--kl-weight", "paper"}, "--kl-weight"},
		tc{[]string{"--local-reparam"}, "--local-reparam"},
		tc{[]string{"--local-reparam=maybe"}, "local-reparam"},
		tc{[]string{"--batch-size", "16001"}, "--batch-size 16001"},
		tc{[]string{"--points", "100", "--batch-size", "81"}, "--batch-size 81"})
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

// A short run with each new option trains and writes its summary, with
// the options and the noise-included scores, and the calibration figure.
func TestPaperFlagsRun(t *testing.T) {
	for _, args := range [][]string{
		{"--prior", "mixture", "--prior-sigma2", "0.0003"},
		{"--kl", "closed", "--dtype", "float64", "--likelihood", "learned"},
		{"--likelihood", "hetero", "--format", "svg"},
		{"--batch-size", "32", "--kl-weight", "blundell", "--mc-samples", "2"},
		{"--local-reparam", "--kl", "closed", "--batch-size", "50"},
	} {
		out := t.TempDir()
		a := append([]string{"train", "--epochs", "20", "--points", "200", "--samples", "10", "--no-train-band", "-q", "--out", out}, args...)
		if code, _, stderr := runCLI(a...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"prior", "kl", "likelihood", "val_nlpd", "val_pred_coverage50", "val_pred_coverage90", "val_pred_coverage95", "val_total_band_width", "val_coverage90"} {
			if _, ok := s[k]; !ok {
				t.Errorf("%v: summary.json has no %q", args, k)
			}
		}
		if b, err := os.ReadFile(filepath.Join(out, "layers.csv")); err != nil || !strings.HasPrefix(string(b), "epoch,layer,kl,") || strings.Count(string(b), "\n") < 2 {
			t.Errorf("%v: layers.csv %q, %v", args, b, err)
		}
		if c, ok := s["val_calibration"].([]any); !ok || len(c) != 9 {
			t.Errorf("%v: val_calibration %v: want 9 levels", args, s["val_calibration"])
		}
		if _, err := os.Stat(filepath.Join(out, "calibration."+map[bool]string{true: "svg", false: "png"}[strings.Contains(strings.Join(args, " "), "svg")])); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// --preset calibrated is the learned noise scale starting at 1; explicit
// flags win.
func TestPresetCalibrated(t *testing.T) {
	for _, tc := range []struct {
		extra []string
		want  string
	}{{nil, "learned"}, {[]string{"--likelihood", "hetero"}, "hetero"}} {
		out := t.TempDir()
		a := append([]string{"train", "--preset", "calibrated", "--epochs", "5", "--points", "100", "--samples", "4", "--no-figures", "--no-train-band", "-q", "--out", out}, tc.extra...)
		if code, _, stderr := runCLI(a...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, _ := os.ReadFile(filepath.Join(out, "summary.json"))
		var s struct {
			Preset, Likelihood string
		}
		if err := json.Unmarshal(b, &s); err != nil || s.Preset != "calibrated" || s.Likelihood != tc.want {
			t.Errorf("%v: summary %+v, %v: want preset calibrated, likelihood %s", tc.extra, s, err, tc.want)
		}
	}
}

// train refuses a batch size over its training rows before --out is
// touched: its folders are not made (--data, whose rows are known once
// read, and the seed's curve), and a sweep's check of its points
// (checkTrainArgs) refuses it, so no point runs.
func TestTrainBatchSizeCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	writeCSV(t, csv, 20, false)
	for _, args := range [][]string{
		{"--data", csv, "--batch-size", "1000"},
		{"--points", "200", "--batch-size", "1000"},
	} {
		out := filepath.Join(dir, "new", "run")
		code, _, stderr := runCLI(append([]string{"train", "--epochs", "3", "-q", "--out", out}, args...)...)
		if code != 2 || !strings.Contains(stderr, "--batch-size 1000: over the ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		if _, err := os.Stat(filepath.Dir(out)); err == nil {
			t.Errorf("%v: --out's folder was made", args)
		}
		if err := checkTrainArgs(append([]string{"--epochs", "3", "--out", out}, args...)); err == nil {
			t.Errorf("%v: a sweep's check of the point passed it", args)
		}
	}
}

// bench refuses a batch size over a swept size's training points before
// timing anything (it used to fail at that size, exit 1).
func TestBenchBatchSizeCheckedFirst(t *testing.T) {
	out := t.TempDir() + "/b"
	code, _, stderr := runCLI("bench", "-q", "--hidden-sizes", "4", "--epochs", "3", "--points-list", "5000,500", "--batch-size", "1000", "--out", out)
	if code != 2 || !strings.Contains(stderr, "--batch-size 1000: over the 400 training points") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("--out was written")
	}
}
