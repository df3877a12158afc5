package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCSV writes rows of y = 1000 + 50·a (+ b) with a little noise.
func writeCSV(t *testing.T, path string, n int, twoInputs bool) {
	t.Helper()
	var sb strings.Builder
	if twoInputs {
		sb.WriteString("a,b,note,y\n")
	} else {
		sb.WriteString("a,y\n")
	}
	for i := range n {
		a := -3 + 6*float64(i)/float64(n-1)
		noise := 0.5 * math.Sin(float64(i)*12.9898)
		if twoInputs {
			b := float64(i%7) * 10
			fmt.Fprintf(&sb, "%g,%g,txt,%g\n", a, b, 1000+50*a+0.5*b+noise)
		} else {
			fmt.Fprintf(&sb, "%g,%g\n", a, 1000+50*a+noise)
		}
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readSummary(t *testing.T, out string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// train --data: standardised for the network, reported in the data's units;
// one input draws bands, two inputs predicted vs observed.
func TestTrainCSV(t *testing.T) {
	dir := t.TempDir()
	one, two := filepath.Join(dir, "one.csv"), filepath.Join(dir, "two.csv")
	writeCSV(t, one, 300, false)
	writeCSV(t, two, 300, true)
	args := []string{"train", "--epochs", "400", "--samples", "40", "--report-every", "200", "-q"}
	out1 := filepath.Join(dir, "o1")
	if code, _, stderr := runCLI(append(args, "--data", one, "--out", out1)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := readSummary(t, out1)
	// Targets are about 1000 ± 150: a mean left in standardised units
	// would be ~1000 off.
	if r := s["val_rmse_noisy"].(float64); !(r < 60) {
		t.Errorf("val_rmse_noisy %v: predictions not in the data's units", r)
	}
	if s["val_points"].(float64) != 60 || s["train_points"].(float64) != 240 {
		t.Errorf("split %v/%v, want 240/60", s["train_points"], s["val_points"])
	}
	for _, f := range []string{"band_val.png", "band_train.png", "data.png"} {
		if _, err := os.Stat(filepath.Join(out1, f)); err != nil {
			t.Error(err)
		}
	}
	out2 := filepath.Join(dir, "o2")
	if code, _, stderr := runCLI(append(args, "--data", two, "--x-cols", "a,b", "--y-col", "y", "--val-split", "0.25", "--out", out2)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s = readSummary(t, out2)
	if s["val_points"].(float64) != 75 || !(s["val_rmse_noisy"].(float64) < 60) {
		t.Errorf("two inputs: %v", s)
	}
	if _, err := os.Stat(filepath.Join(out2, "observed_val.png")); err != nil {
		t.Error(err)
	}
	// --val: a file of its own (a copy: --data itself is refused).
	out3 := filepath.Join(dir, "o3")
	oneCopy := filepath.Join(dir, "one-copy.csv")
	if b, err := os.ReadFile(one); err != nil || os.WriteFile(oneCopy, b, 0o644) != nil {
		t.Fatal("copying", one, err)
	}
	if code, _, stderr := runCLI(append(args, "--data", one, "--val", oneCopy, "--out", out3)...); code != 0 {
		t.Fatalf("--val: exit %d: %s", code, stderr)
	}
	if s = readSummary(t, out3); s["val_points"].(float64) != 300 {
		t.Errorf("--val: val_points %v", s["val_points"])
	}
}

// Bad data: one line naming the flag and file:line:column, exit 2, before
// any training.
func TestTrainCSVBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	writeCSV(t, good, 50, true)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rows := "x,y\n" + strings.Repeat("1,2\n", 20)
	nan := write("nan.csv", rows+"3,NaN\n")
	word := write("word.csv", rows+"3,abc\n")
	ragged := write("ragged.csv", rows+"3\n")
	few := write("few.csv", "x,y\n1,2\n3,4\n")
	empty := write("empty.csv", "")
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", nan}, "--data: " + nan + ":22:3: column \"y\": NaN"},
		{[]string{"--data", word}, nan[:len(nan)-7] + "word.csv:22:3: column \"y\": \"abc\" is not a number"},
		{[]string{"--data", ragged}, "ragged.csv:22:1: ragged row"},
		{[]string{"--data", few}, "few.csv: 2 data rows"},
		{[]string{"--data", empty}, "empty.csv: empty file"},
		{[]string{"--data", filepath.Join(dir, "missing.csv")}, "missing.csv: no such file"},
		{[]string{"--data", good, "--y-col", "zz"}, `no column "zz" (--y-col)`},
		{[]string{"--data", good, "--x-cols", "a,,b"}, "--x-cols"},
		{[]string{"--data", good}, `column "note": "txt" is not a number`},
		{[]string{"--data", good, "--x-cols", "a", "--val", word}, "--val: "},
		{[]string{"--data", good, "--val", good, "--val-split", "0.3"}, "--val-split 0.3: has no effect with --val "},
		{[]string{"--data", good, "--val-split", "1"}, "--val-split"},
		{[]string{"--val-split", "0.3"}, "--val-split 0.3: has no effect without --data"},
		{[]string{"--x-cols", "a"}, "--x-cols a: has no effect without --data"},
	} {
		code, _, stderr := runCLI(append([]string{"train", "-q", "--epochs", "2", "--out", out}, tc.args...)...)
		if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q: want one line with %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("bad data made --out")
	}
}

// Values near the float64 limit cannot be standardised: refused before
// any work, naming --data (not a divergence after training started).
func TestDataTooLargeToStandardise(t *testing.T) {
	dir := t.TempDir()
	csv := dir + "/huge.csv"
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "%g,%d\n", 1e308*float64(1-2*(i%2)), i)
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI("train", "--data", csv, "--epochs", "2", "--samples", "2", "-q", "--out", dir+"/out")
	if code != 2 || !strings.Contains(stderr, "--data") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("exit %d, stderr %q: want one line naming --data, exit 2", code, stderr)
	}
	if _, err := os.Stat(dir + "/out"); err == nil {
		t.Error("--out was written")
	}
}

// --x-cols naming a column twice, and --val naming the --data file however
// spelt (./d.csv, absolute, through a symbolic or hard link), are refused
// before any work, one line naming the flag (before: both ran; the second
// validated on the training rows).
func TestCSVColumnsAndValidationFileRefused(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "d.csv")
	writeCSV(t, data, 60, true)
	if err := os.Symlink(data, filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(data, filepath.Join(dir, "hard.csv")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	out := filepath.Join(dir, "o")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", data, "--x-cols", "a,a"}, `--x-cols "a,a": column "a" is listed twice`},
		{[]string{"--data", data, "--x-cols", "a, b ,b"}, `column "b" is listed twice`},
		{[]string{"--data", data, "--val", data}, "--val " + data + ": is the --data file"},
		{[]string{"--data", "d.csv", "--val", "./d.csv"}, "--val ./d.csv: is the --data file d.csv"},
		{[]string{"--data", "d.csv", "--val", data}, "is the --data file"},
		{[]string{"--data", data, "--val", "link.csv"}, "--val link.csv: is the --data file"},
		{[]string{"--data", "hard.csv", "--val", "d.csv"}, "--val d.csv: is the --data file hard.csv"},
	} {
		wantUsage(t, trainArgs(append(tc.args, "--out", out)...), tc.want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused run wrote %s (%v)", out, err)
	}
	// A separate validation file with the same rows (a copy) is the user's
	// choice: it runs.
	cp := filepath.Join(dir, "copy.csv")
	b, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(trainArgs("--data", data, "--val", cp, "--x-cols", "a,b", "--out", out)...); code != 0 {
		t.Errorf("--val a copy: exit %d: %s", code, stderr)
	}
}
