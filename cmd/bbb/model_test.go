package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/internal/npz"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/modelfile"
)

func sortedLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := strings.Split(strings.TrimSpace(string(b)), "\n")
	sort.Strings(l[1:])
	return l
}

// --save, --resume and predict: 20 then 20 more epochs give the parameters
// of 40 in one run; predict gives the training run's validation
// predictions; NumPy reads the file.
func TestSaveResumePredict(t *testing.T) {
	dir := t.TempDir()
	data, val := filepath.Join(dir, "d.csv"), filepath.Join(dir, "v.csv")
	writeCSV(t, data, 120, true)
	writeCSV(t, val, 30, true)
	base := []string{"train", "-q", "--data", data, "--val", val, "--x-cols", "a,b", "--hidden", "8", "--layers", "3",
		"--samples", "20", "--report-every", "10", "--no-figures"}
	run := func(args ...string) {
		t.Helper()
		if code, _, stderr := runCLI(append(slices.Clone(base), args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	m1, m2, m3 := filepath.Join(dir, "m1.npz"), filepath.Join(dir, "m2.npz"), filepath.Join(dir, "o3", "m3.npz")
	run("--epochs", "20", "--save", m1, "--out", filepath.Join(dir, "o1"))
	run("--resume", m1, "--epochs", "40", "--save", m2, "--out", filepath.Join(dir, "o2"))
	run("--epochs", "40", "--save", m3, "--checkpoint-every", "10", "--out", filepath.Join(dir, "o3")) // --save inside --out
	c2, err := modelfile.Read(m2)
	if err != nil {
		t.Fatal(err)
	}
	c3, err := modelfile.Read(m3)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Model.Epoch != 40 || c3.Model.Epoch != 40 || c3.Model.Scaler == nil || strings.Join(c3.Model.XNames, ",") != "a,b" {
		t.Fatalf("meta %+v / %+v", c2.Model, c3.Model)
	}
	for _, p := range c3.Params {
		if !slices.Equal(c2.Arrays[p].Floats(), c3.Arrays[p].Floats()) {
			t.Errorf("%s: 20 + 20 epochs differ from 40", p)
		}
	}
	l2, l3 := sortedLines(t, filepath.Join(dir, "o2", "pred_val.csv")), sortedLines(t, filepath.Join(dir, "o3", "pred_val.csv"))
	if !slices.Equal(l2, l3) {
		t.Error("pred_val.csv after resume differs from one run")
	}
	pred := filepath.Join(dir, "pred.csv")
	if code, _, stderr := runCLI("predict", "-q", "--model", m3, "--data", val, "--samples", "20", "--out", pred); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	if lp := sortedLines(t, pred); !slices.Equal(lp, l3) {
		t.Errorf("predict differs from the training run's predictions:\n%v\n%v", lp[:2], l3[:2])
	}
	// --out naming an input file would overwrite it: refused, file kept.
	before, _ := os.ReadFile(val)
	for _, in := range []string{val, m3} {
		code, _, stderr := runCLI("predict", "-q", "--model", m3, "--data", val, "--out", in)
		if after, _ := os.ReadFile(val); code != 2 || !strings.Contains(stderr, "--out") || !slices.Equal(before, after) {
			t.Errorf("predict --out %s (an input): exit %d, stderr %q", in, code, stderr)
		}
	}
	if l3[0] != "a,b,mean,std_epistemic,std_total,q0.05,q0.5,q0.95" || len(l3) != 31 {
		t.Errorf("pred_val.csv header %q, %d lines", l3[0], len(l3))
	}

	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import numpy").Run() == nil {
		out, err := exec.Command(py, "-c", `import numpy as np, json, sys
z = np.load(sys.argv[1])
m = json.loads(bytes(z["meta"]).decode())
print(m["format"], m["model"]["epoch"], z["w_mu0"].shape, z["w_mu0"].dtype, int(z["adam_t"]))`, m3).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "bbb-checkpoint 40 (2, 8) float32 40" {
			t.Errorf("numpy: %s %v", out, err)
		}
	}

	// Usage errors: one line naming the flag and the file, exit 2.
	b3, _ := os.ReadFile(m3)
	bad := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	rewrite := func(edit func(map[string]npz.Array)) []byte {
		arrays, err := npz.Read(bytes.NewReader(b3), int64(len(b3)))
		if err != nil {
			t.Fatal(err)
		}
		edit(arrays)
		var buf bytes.Buffer
		npz.Write(&buf, arrays)
		return buf.Bytes()
	}
	version := rewrite(func(a map[string]npz.Array) {
		var m map[string]any
		json.Unmarshal(a["meta"].Data.([]uint8), &m)
		m["version"] = modelfile.Version + 1
		mb, _ := json.Marshal(m)
		a["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
	})
	shape := rewrite(func(a map[string]npz.Array) { a["w_mu1"] = npz.Array{Shape: []int{4, 16}, Data: make([]float32, 64)} })
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"predict", "--model", bad("garbage.npz", []byte("not a model")), "--data", val}, "garbage.npz: not an npz"},
		{[]string{"predict", "--model", bad("trunc.npz", b3[:len(b3)/2]), "--data", val}, "trunc.npz: "},
		{[]string{"predict", "--model", bad("v2.npz", version), "--data", val}, fmt.Sprintf("v2.npz: version %d: this bbb reads version %d", modelfile.Version+1, modelfile.Version)},
		{[]string{"predict", "--model", bad("shape.npz", shape), "--data", val}, "shape.npz: parameter w_mu1: shape [4 16] in the file, the model needs [8 8]"},
		{[]string{"predict", "--model", filepath.Join(dir, "none.npz"), "--data", val}, "--model"},
		{[]string{"predict", "--model", m3, "--data", data, "--quantiles", "0.5,2"}, "--quantiles"},
		{[]string{"predict", "--model", m3}, "--data: required"},
		{append(slices.Clone(base), "--resume", m1, "--epochs", "10", "--out", filepath.Join(dir, "o4")), "has trained 20 epochs already"},
		{append(slices.Clone(base), "--resume", m1, "--epochs", "30", "--hidden", "9", "--out", filepath.Join(dir, "o4")), "--hidden 9: " + m1 + " was trained with --hidden 8"},
		{append(slices.Clone(base), "--resume", m1, "--epochs", "30", "--lr-milestones", "25", "--out", filepath.Join(dir, "o4")), "--lr-milestones 25: " + m1 + " was trained without --lr-milestones"},
		{append(slices.Clone(base), "--resume", bad("v2b.npz", version), "--epochs", "30", "--out", filepath.Join(dir, "o4")), "--resume"},
		{append(slices.Clone(base), "--epochs", "30", "--checkpoint-every", "15", "--save", m1, "--out", filepath.Join(dir, "o4")), "--checkpoint-every 15"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q: want one line with %q", tc.args[len(tc.args)-2:], code, stderr, tc.want)
		}
	}
	// The same --data path with other rows: refused, not trained on.
	writeCSV(t, data, 130, true)
	code, _, stderr := runCLI(append(slices.Clone(base), "--resume", m1, "--epochs", "30", "--out", filepath.Join(dir, "o5"))...)
	if code != exitUsage || !strings.Contains(stderr, "is not the data it was trained on") {
		t.Errorf("changed data: exit %d, %q", code, stderr)
	}
}

// A model file's Model holds train's run flags by their names, with the
// flags' defaults (modelfile.FromFlags, Model.Flags): the vocabulary of
// version 1 and 2 files and the flags --resume and predict restore.
func TestModelFileFlags(t *testing.T) {
	fs := flag.NewFlagSet("names", flag.ContinueOnError)
	var m modelFlags
	var d dataFlags
	m.register(fs)
	d.register(fs)
	def := (modelfile.Model{Seed: 1, Preset: "seed"}).Flags()
	names := append(job.RecordedFlags(), "preset")
	if got := slices.Sorted(maps.Keys(def)); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
		t.Errorf("modelfile's flags %v, train's run flags %v", got, names)
	}
	for _, n := range job.RecordedFlags() {
		if v := fs.Lookup(n).DefValue; def[n] != v {
			t.Errorf("--%s: default %q, modelfile's %q", n, v, def[n])
		}
	}
}

// A version 2 file and the version 3 file of one model predict the same
// rows, and --resume refuses another --hidden with one message for both;
// against version 3, a list spelt otherwise is the same value.
func TestVersion2And3Agree(t *testing.T) {
	dir, model, data := savedModel(t)
	v2 := rewriteMeta(t, model, filepath.Join(dir, "v2.npz"), func(m map[string]any) { asVersion2(t, m) })
	var preds []string
	for _, p := range []string{model, v2} {
		out := filepath.Join(dir, filepath.Base(p)+".csv")
		if code, _, stderr := runCLI("predict", "-q", "--model", p, "--data", data, "--samples", "5", "--out", out); code != exitOK {
			t.Fatalf("predict %s: exit %d: %s", p, code, stderr)
		}
		b, _ := os.ReadFile(out)
		preds = append(preds, string(b))
		args := []string{"train", "-q", "--resume", p, "--epochs", "8", "--hidden", "9", "--out", filepath.Join(dir, "o2")}
		if code, _, stderr := runCLI(args...); code != exitUsage || strings.TrimSpace(stderr) != "bbb: --hidden 9: "+p+" was trained with --hidden 8" {
			t.Errorf("%s: exit %d, %q", p, code, stderr)
		}
	}
	if preds[0] != preds[1] || preds[0] == "" {
		t.Error("version 2 and 3 predict differently")
	}
	args := []string{"train", "-q", "--resume", model, "--epochs", "6", "--x-cols", "a, b", "--no-figures", "--samples", "4", "--out", filepath.Join(dir, "o3")}
	if code, _, stderr := runCLI(args...); code != exitOK {
		t.Errorf("--x-cols \"a, b\" against a,b: exit %d: %s", code, stderr)
	}
}

// A run resumed from a model trained with minibatches and several draws
// per step, whose first leg ended off the --report-every grid, writes the
// files of the run made in one go: losses, layer reports, predictions
// and the model file, byte for byte (the leg's last report, which the run
// in one go does not make, is dropped with its validation draw).
func TestResumeMinibatchesOffTheReportGrid(t *testing.T) {
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	model := []string{"--hidden", "8", "--layers", "2", "--points", "300", "--report-every", "5", "--batch-size", "40", "--mc-samples", "2", "-q", "--samples", "5", "--no-figures"}
	for _, args := range [][]string{
		append([]string{"train", "--epochs", "30", "--save", out("whole.npz"), "--out", out("whole")}, model...),
		append([]string{"train", "--epochs", "7", "--save", out("m.npz"), "--out", out("first")}, model...),
		{"train", "--resume", out("m.npz"), "--epochs", "12", "--samples", "5", "--no-figures", "-q", "--save", out("m.npz"), "--out", out("second")},
		{"train", "--resume", out("m.npz"), "--epochs", "30", "--samples", "5", "--no-figures", "-q", "--save", out("m.npz"), "--out", out("third")},
	} {
		if code, _, stderr := runCLI(args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for _, name := range []string{"whole/losses.csv", "whole/layers.csv", "whole/pred_val.csv", "whole.npz"} {
		resumed := strings.NewReplacer("whole/", "third/", "whole.npz", "m.npz").Replace(name)
		a, errA := os.ReadFile(out(name))
		b, errB := os.ReadFile(out(resumed))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s (%v, %v)", resumed, name, errA, errB)
		}
	}
}

// A learning-rate schedule split across runs: a milestone past --epochs
// is taken with --save (a --resume reaches it), and the two legs write
// the files of the run in one go.
func TestResumeSplitsASchedule(t *testing.T) {
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	run := []string{"--hidden", "4", "--layers", "2", "--points", "300", "--report-every", "5", "--lr-milestones", "25", "--samples", "4", "--no-figures", "-q"}
	for _, args := range [][]string{
		append([]string{"train", "--epochs", "40", "--save", out("whole.npz"), "--out", out("whole")}, run...),
		append([]string{"train", "--epochs", "20", "--save", out("m.npz"), "--out", out("first")}, run...),
		{"train", "--resume", out("m.npz"), "--epochs", "40", "--samples", "4", "--no-figures", "-q", "--save", out("m.npz"), "--out", out("second")},
	} {
		if code, _, stderr := runCLI(args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for whole, resumed := range map[string]string{"whole/losses.csv": "second/losses.csv", "whole/pred_val.csv": "second/pred_val.csv", "whole.npz": "m.npz"} {
		a, _ := os.ReadFile(out(whole))
		b, _ := os.ReadFile(out(resumed))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s", resumed, whole)
		}
	}
	if code, _, stderr := runCLI(append([]string{"train", "--epochs", "20", "--out", out("nosave")}, run...)...); code != exitUsage || !strings.Contains(stderr, "would never be used (with --save, a --resume past it would use it)") {
		t.Errorf("without --save: exit %d, %q", code, stderr)
	}
}

// --checkpoint-every on a resume counts from the model's epoch: one whose
// next multiple is the last epoch or past it would write nothing, and is
// refused as on a run from the start.
func TestResumeCheckpointEveryFromTheModelsEpoch(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI("train", "--hidden", "4", "--layers", "2", "--points", "200", "--epochs", "20", "--report-every", "10", "--samples", "4", "--no-figures", "-q", "--save", model, "--out", filepath.Join(dir, "a")); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	resume := func(epochs, every string) (int, string) {
		code, _, stderr := runCLI("train", "--resume", model, "--epochs", epochs, "--checkpoint-every", every, "--save", filepath.Join(dir, "b.npz"), "--samples", "4", "--no-figures", "-q", "--out", filepath.Join(dir, "b"))
		return code, stderr
	}
	if code, stderr := resume("30", "20"); code != exitUsage || !strings.Contains(stderr, "--checkpoint-every 20: no checkpoint would come after the resumed model's epoch 20 and before the last (--epochs 30)") {
		t.Errorf("every 20 from 20 to 30: exit %d, %q", code, stderr)
	}
	if code, stderr := resume("40", "30"); code != exitOK {
		t.Errorf("every 30 from 20 to 40 (a checkpoint at 30): exit %d, %q", code, stderr)
	}
}

// A resumed run reports at the epochs of the run it continues (the model
// file records --report-every), and its losses.csv and layers.csv are
// those of the run made in one go; --report-every given again wins.
func TestResumeReportsAsTheRun(t *testing.T) {
	dir := t.TempDir()
	run := []string{"-q", "--samples", "5", "--no-figures", "--no-train-band"}
	model := append([]string{"--hidden", "8", "--layers", "2", "--points", "200", "--report-every", "5"}, run...)
	out := func(name string) string { return filepath.Join(dir, name) }
	for _, args := range [][]string{
		append([]string{"train", "--epochs", "30", "--out", out("whole")}, model...),
		append([]string{"train", "--epochs", "20", "--save", out("m.npz"), "--out", out("first")}, model...),
		append([]string{"train", "--resume", out("m.npz"), "--epochs", "30", "--out", out("resumed")}, run...),
		append([]string{"train", "--resume", out("m.npz"), "--epochs", "30", "--report-every", "10", "--out", out("every10")}, run...),
	} {
		if code, _, stderr := runCLI(args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	for _, name := range []string{"losses.csv", "layers.csv"} {
		whole, _ := os.ReadFile(filepath.Join(out("whole"), name))
		resumed, err := os.ReadFile(filepath.Join(out("resumed"), name))
		if err != nil || string(resumed) != string(whole) || len(whole) == 0 {
			t.Errorf("resumed %s:\n%s\nwant the run in one go's:\n%s", name, resumed, whole)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out("every10"), "losses.csv")); strings.Contains(string(b), "\n25,") || !strings.Contains(string(b), "\n30,") {
		t.Errorf("--report-every 10 on resume: losses.csv\n%s\nwant no report at 25", b)
	}
	// A file of an older build records no --report-every: its reports'
	// epochs say it.
	c, err := modelfile.Read(out("m.npz"))
	if err != nil {
		t.Fatal(err)
	}
	c.Model.ReportEvery = 0
	if err := modelfile.Write(out("old.npz"), c); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(append([]string{"train", "--resume", out("old.npz"), "--epochs", "30", "--out", out("old")}, run...)...); code != exitOK {
		t.Fatalf("resume of an older file: exit %d: %s", code, stderr)
	}
	whole, _ := os.ReadFile(filepath.Join(out("whole"), "losses.csv"))
	if b, _ := os.ReadFile(filepath.Join(out("old"), "losses.csv")); string(b) != string(whole) {
		t.Errorf("resumed from a file without report_every: losses.csv\n%s\nwant\n%s", b, whole)
	}
}
