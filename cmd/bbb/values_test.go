package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/npz"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/rundir"
)

// tinyCSV are the flags of a CSV or seed run that takes well under a second.
var tinyCSV = []string{"-q", "--hidden", "8", "--layers", "2", "--epochs", "20", "--samples", "10", "--report-every", "10", "--no-figures"}

func trainArgs(extra ...string) []string {
	return append(append([]string{"train"}, tinyCSV...), extra...)
}

// writeTestFile writes text to dir/name and returns its path.
func writeTestFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// linearRows are n rows "a,y" with y = 2a + a little noise, a in [0, 1),
// each value times scale, after header.
func linearRows(header string, n int, scale float64, sep string) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := range n {
		a := float64(i) / float64(n)
		fmt.Fprintf(&b, "%g,%g%s\n", a*scale, (2*a+0.1*math.Sin(float64(i)))*scale, sep)
	}
	return b.String()
}

func wantUsage(t *testing.T, args []string, want string) {
	t.Helper()
	code, _, stderr := runCLI(args...)
	if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, want) {
		t.Errorf("%v: exit %d, stderr %q: want 2 and one line with %q", args, code, stderr, want)
	}
}

// Every value a user gives is bounded so that standardisation and the
// forward pass stay finite, or refused naming file:line(:column) before
// any work: values near 1e200 (their squared deviations overflow), a
// validation or predict input far outside the training data.
func TestHugeValuesBounded(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	huge := writeTestFile(t, dir, "huge.csv", linearRows("a,y", 40, 1, "")+"0.5,1e200\n")
	wantUsage(t, trainArgs("--data", huge, "--out", out), huge+":42:5: column \"y\": 1e200 is beyond ±1e+100")
	target := writeTestFile(t, dir, "target.csv", linearRows("a,y", 40, 1, "")+"0.5,-1e308\n")
	wantUsage(t, trainArgs("--data", target, "--out", out), target+":42:5:")
	// Validation rows are standardised with the training rows' scaler: one
	// 1e50 among inputs in [0, 1) lies ~1e50 standard deviations out.
	good := writeTestFile(t, dir, "good.csv", linearRows("a,y", 40, 1, ""))
	far := writeTestFile(t, dir, "far.csv", linearRows("a,y", 5, 1, "")+"1e50,1\n")
	wantUsage(t, trainArgs("--data", good, "--val", far, "--out", out), "--val: "+far+":7: column \"a\": 1e+50 lies")
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused run wrote --out")
	}

	// The largest legal values train, and everything the run reports is
	// finite, in the data's units.
	legal := writeTestFile(t, dir, "legal.csv", linearRows("a,y", 60, 3e99, "")+"-1e100,1e100\n")
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI(trainArgs("--data", legal, "--save", model, "--out", out)...); code != exitOK {
		t.Fatalf("values up to 1e100: exit %d: %s", code, stderr)
	}
	s := readSummary(t, out)
	for _, k := range []string{"train_loss_per_point", "val_loss_per_point", "val_rmse_noisy", "val_nlpd", "val_band_width"} {
		if v, ok := s[k].(float64); !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("values up to 1e100: summary %s = %v, want finite", k, s[k])
		}
	}
	if r := s["val_rmse_noisy"].(float64); !(r > 1e97 && r < 1e101) {
		t.Errorf("val_rmse_noisy %v: not in the data's units (1e100)", r)
	}

	// predict: an input past MaxCSVValue (file:line:column), one too far
	// from the training inputs (file:line and the column's name); a row
	// just inside the bound predicts finite values.
	pred := filepath.Join(dir, "pred.csv")
	in308 := writeTestFile(t, dir, "x308.csv", "a\n1e99\n1e308\n")
	wantUsage(t, []string{"predict", "-q", "--model", model, "--data", in308, "--samples", "5", "--out", pred}, in308+":3:1: column \"a\"")
	small := filepath.Join(dir, "small.npz")
	if code, _, stderr := runCLI(trainArgs("--data", good, "--save", small, "--out", filepath.Join(dir, "o2"))...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	model = small
	c, err := modelfile.Read(model)
	if err != nil {
		t.Fatal(err)
	}
	at := func(score float64) float64 { return c.Model.Scaler.XMean[0] + score*c.Model.Scaler.XStd[0] }
	tooFar := writeTestFile(t, dir, "far_in.csv", fmt.Sprintf("a\n0\n%g\n", at(1.01*data.MaxStandardScore)))
	wantUsage(t, []string{"predict", "-q", "--model", model, "--data", tooFar, "--samples", "5", "--out", pred}, tooFar+":3: column \"a\"")
	near := writeTestFile(t, dir, "near.csv", fmt.Sprintf("a\n0\n%g\n", at(0.99*data.MaxStandardScore)))
	if code, _, stderr := runCLI("predict", "-q", "--model", model, "--data", near, "--samples", "5", "--out", pred); code != exitOK {
		t.Fatalf("predict just inside the bound: exit %d: %s", code, stderr)
	}
	lines := readLines(t, pred)
	for _, l := range lines[1:] {
		for _, f := range strings.Split(l, ",") {
			if strings.Contains(strings.ToLower(f), "nan") || strings.Contains(strings.ToLower(f), "inf") {
				t.Errorf("pred.csv row %q: not finite", l)
			}
		}
	}
}

// The seed curve's model has no scaler: its inputs are bounded in its own
// units (MaxStandardScore from 0).
func TestPredictSeedModelFarInput(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI(trainArgs("--points", "100", "--save", model, "--out", filepath.Join(dir, "out"))...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	in := writeTestFile(t, dir, "x.csv", "x\n0.5\n1e50\n")
	wantUsage(t, []string{"predict", "-q", "--model", model, "--data", in, "--samples", "5", "--out", filepath.Join(dir, "p.csv")}, in+":3: column \"x\": 1e+50 lies")
}

// summary.json says what ran: a CSV run's files (absolute) and columns,
// and the preset a --resume run went on under; a --preset that the
// checkpoint was not trained with is refused.
func TestSummaryRecordsRun(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	// An unused column first: --x-cols and --y-col choose.
	rows := strings.Split(strings.TrimSpace(linearRows("a,y", 40, 1, "")), "\n")[1:]
	writeTestFile(t, dir, "d.csv", "note,a,y\nx,"+strings.Join(rows, "\nx,")+"\n")
	if code, _, stderr := runCLI(trainArgs("--data", "d.csv", "--x-cols", "a", "--y-col", "y", "--out", "o1")...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := readSummary(t, "o1")
	for k, want := range map[string]any{"data": filepath.Join(dir, "d.csv"), "x_cols": []any{"a"}, "y_col": "y", "val_split": 0.2, "preset": "seed"} {
		if g, _ := json.Marshal(s[k]); string(g) != mustJSON(want) {
			t.Errorf("summary %s = %s, want %s", k, g, mustJSON(want))
		}
	}
	if _, ok := s["val"]; ok {
		t.Errorf("summary val = %v without --val", s["val"])
	}
	writeTestFile(t, dir, "v.csv", "note,a,y\n,0.5,1\n,0.25,0.5\n")
	if code, _, stderr := runCLI(trainArgs("--data", "d.csv", "--val", "v.csv", "--x-cols", "a", "--y-col", "y", "--out", "o2")...); code != exitOK {
		t.Fatalf("--val: exit %d: %s", code, stderr)
	}
	if s = readSummary(t, "o2"); s["val"] != filepath.Join(dir, "v.csv") || s["val_split"] != nil {
		t.Errorf("--val: summary val %v, val_split %v", s["val"], s["val_split"])
	}

	// The seed's curve: --preset calibrated would set --likelihood learned,
	// which the checkpoint's --likelihood fixed overrides.
	seed := []string{"--points", "100", "--epochs", "10"}
	if code, _, stderr := runCLI(trainArgs(append(seed, "--save", "seed.npz", "--out", "o3")...)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	resume := func(model string, extra ...string) []string {
		return trainArgs(append([]string{"--resume", model, "--epochs", "20", "--out", "o4"}, extra...)...)
	}
	wantUsage(t, resume("seed.npz", "--preset", "calibrated"), "--preset calibrated: seed.npz was trained with --preset seed")
	// A checkpoint of before this change records no preset: the preset's
	// flags must agree with the checkpoint's.
	old := rewriteMeta(t, "seed.npz", "old.npz", func(m map[string]any) { asVersion2(t, m); delete(m["flags"].(map[string]any), "preset") })
	wantUsage(t, resume(old, "--preset", "calibrated"), "--preset calibrated: "+old+" was trained with --likelihood fixed")
	if code, _, stderr := runCLI(resume(old)...); code != exitOK {
		t.Fatalf("old checkpoint: exit %d: %s", code, stderr)
	}
	// A calibrated run resumed without --preset goes on calibrated.
	if code, _, stderr := runCLI(trainArgs(append(seed, "--preset", "calibrated", "--save", "cal.npz", "--out", "o5")...)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(resume("cal.npz")...); code != exitOK {
		t.Fatalf("resume calibrated: exit %d: %s", code, stderr)
	}
	if s = readSummary(t, "o4"); s["preset"] != "calibrated" || s["likelihood"] != "learned" {
		t.Errorf("resumed calibrated run: preset %v, likelihood %v", s["preset"], s["likelihood"])
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// asVersion2 makes a version 3 meta the version 2 meta of the same model,
// as the writer of version 2 made it: the Model's settings as bbb train's
// flags, the rest at the top.
func asVersion2(t *testing.T, m map[string]any) {
	t.Helper()
	b, _ := json.Marshal(m["model"])
	var model modelfile.Model
	if err := json.Unmarshal(b, &model); err != nil {
		t.Fatal(err)
	}
	flags := map[string]any{}
	for k, v := range model.Flags() {
		flags[k] = v
	}
	delete(m, "model")
	m["version"], m["flags"], m["seed"], m["epoch"], m["inputs"] = 2, flags, model.Seed, model.Epoch, model.Network.Inputs
	if model.XNames != nil {
		m["x_names"], m["y_name"] = model.XNames, model.YName
	}
	if model.Scaler != nil {
		m["scaler"] = model.Scaler
	}
	if model.Network.Task != "" {
		m["task"], m["classes"] = model.Network.Task, model.Network.Classes
	}
}

// rewriteMeta writes a copy of the model src to dst with its meta edited.
func rewriteMeta(t *testing.T, src, dst string, edit func(map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	arrays, err := npz.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(arrays["meta"].Data.([]uint8), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	mb, _ := json.Marshal(m)
	arrays["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
	var buf bytes.Buffer
	if err := npz.Write(&buf, arrays); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// A Latin-1 header name (not UTF-8) is the same name in the model and in
// the file: predict on the training file finds its column.
func TestLatin1HeaderRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := writeTestFile(t, dir, "latin1.csv", linearRows("d\xe9bit,y", 40, 1, ""))
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI(trainArgs("--data", data, "--save", model, "--out", filepath.Join(dir, "o"))...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pred := filepath.Join(dir, "pred.csv")
	if code, _, stderr := runCLI("predict", "-q", "--model", model, "--data", data, "--samples", "5", "--out", pred); code != exitOK {
		t.Fatalf("predict on the training file: exit %d: %s", code, stderr)
	}
	if h := readLines(t, pred)[0]; !strings.HasPrefix(h, "débit,mean,") {
		t.Errorf("pred.csv header %q, want the name débit", h)
	}
	c, err := modelfile.Read(model)
	if err != nil || !slices.Equal(c.Model.XNames, []string{"débit"}) {
		t.Errorf("model's input names %q, %v", c.Model.XNames, err)
	}
}

// --resume restores --data as an absolute path: it works from another
// working directory, and --data given again by another path to the same
// file (absolute, relative, a symlink) is the same flag.
func TestResumeFromAnotherDirectory(t *testing.T) {
	dir := t.TempDir()
	work, other := filepath.Join(dir, "work"), filepath.Join(dir, "other")
	for _, d := range []string{work, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := writeTestFile(t, work, "d.csv", linearRows("a,y", 40, 1, ""))
	if err := os.Symlink(data, filepath.Join(other, "link.csv")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	if code, _, stderr := runCLI(trainArgs("--data", "d.csv", "--save", "m.npz", "--out", "o1")...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	model := filepath.Join(work, "m.npz")
	t.Chdir(other)
	for i, extra := range [][]string{nil, {"--data", data}, {"--data", "link.csv"}, {"--data", "../work/d.csv"}} {
		args := trainArgs(append([]string{"--resume", model, "--epochs", "30", "--out", fmt.Sprint("r", i)}, extra...)...)
		if code, _, stderr := runCLI(args...); code != exitOK {
			t.Errorf("resume from another directory %v: exit %d: %s", extra, code, stderr)
		}
	}
	if s := readSummary(t, "r0"); s["data"] != data {
		t.Errorf("resumed summary data %v, want %s", s["data"], data)
	}
	writeTestFile(t, other, "d.csv", linearRows("a,y", 40, 1, ""))
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--data", "d.csv", "--out", "r9"), "--data d.csv: "+model+" was trained with --data "+data)

	// The file moved: without --data, a line that says so; its new path,
	// or another file of the same training rows, resumes; other rows are
	// refused by the model's scaler; a --val it was trained without is
	// still refused.
	moved := filepath.Join(work, "moved.csv")
	if err := os.Rename(data, moved); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--out", "r9"),
		"--resume "+model+": it was trained with --data "+data+", which is not there now (moved? give its new path with --data)")
	for i, path := range []string{moved, "d.csv"} {
		out := fmt.Sprint("m", i)
		if code, _, stderr := runCLI(trainArgs("--resume", model, "--epochs", "30", "--data", path, "--out", out)...); code != exitOK {
			t.Errorf("resume with the moved data as --data %s: exit %d: %s", path, code, stderr)
		} else if s := readSummary(t, out); s["data"] != rundir.AbsPath(path) {
			t.Errorf("resumed summary data %v, want %s", s["data"], rundir.AbsPath(path))
		}
	}
	writeTestFile(t, other, "e.csv", linearRows("a,y", 40, 3, ""))
	notIt := ": --data e.csv is not the data it was trained on (not the file whose SHA-256 the model records)"
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--data", "e.csv", "--out", "r9"), "--resume "+model+notIt)
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--data", moved, "--val", "e.csv", "--out", "r9"), "--val e.csv: "+model+" was trained without --val")
	// The same rows under other column names: another file.
	writeTestFile(t, other, "e.csv", strings.Replace(linearRows("a,y", 40, 1, ""), "a,y", "b,z", 1))
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--data", "e.csv", "--out", "r9"), "--resume "+model+notIt)
	// Something else at the recorded path (a folder, another file): the
	// file it was trained on, by its new path, resumes; the recorded path
	// alone is refused.
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--out", "r9"),
		"--resume "+model+": it was trained with --data "+data+", which is not a file now (moved? give its new path with --data)")
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--data", "", "--out", "r9"), `--data "": empty (give a value, or leave --data out)`)
	if code, _, stderr := runCLI(trainArgs("--resume", model, "--epochs", "30", "--data", moved, "--out", "m2")...); code != exitOK {
		t.Errorf("resume with a folder at the recorded path: exit %d: %s", code, stderr)
	}
	os.Remove(data)
	writeTestFile(t, work, "d.csv", linearRows("a,y", 40, 2, ""))
	wantUsage(t, trainArgs("--resume", model, "--epochs", "30", "--out", "r9"), "--data "+data+" is not the data it was trained on (not the file whose SHA-256")

	// A model of an older bbb (no SHA-256), its file moved: the columns by
	// name, then the training rows' scaler.
	os.Remove(data)
	c, err := modelfile.Read(model)
	if err != nil {
		t.Fatal(err)
	}
	c.Model.Data.FileSHA256 = ""
	old := filepath.Join(other, "old.npz")
	if err := modelfile.Write(old, c); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, trainArgs("--resume", old, "--epochs", "30", "--data", "e.csv", "--out", "r9"), "--resume "+old+": --data e.csv has the columns b -> z, the model a -> y")
	writeTestFile(t, other, "e.csv", linearRows("a,y", 40, 3, ""))
	wantUsage(t, trainArgs("--resume", old, "--epochs", "30", "--data", "e.csv", "--out", "r9"), "--resume "+old+": --data e.csv is not the data it was trained on")
}

// Only the columns a run uses are checked: Excel's trailing comma (an
// unnamed, empty last column) with --x-cols/--y-col trains, and predict
// reads such a file; the unnamed column as the (default) target is refused.
func TestTrailingCommaUnusedColumn(t *testing.T) {
	dir := t.TempDir()
	data := writeTestFile(t, dir, "excel.csv", linearRows("a,y,", 40, 1, ","))
	model := filepath.Join(dir, "m.npz")
	if code, _, stderr := runCLI(trainArgs("--data", data, "--x-cols", "a", "--y-col", "y", "--save", model, "--out", filepath.Join(dir, "o"))...); code != exitOK {
		t.Fatalf("trailing comma with --x-cols/--y-col: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI("predict", "-q", "--model", model, "--data", data, "--samples", "5", "--out", filepath.Join(dir, "p.csv")); code != exitOK {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	wantUsage(t, trainArgs("--data", data, "--out", filepath.Join(dir, "o2")), data+":1:5: empty column name in the header")
}

// predict --quantiles with a level twice would write two columns of one
// name: refused.
func TestPredictDuplicateQuantiles(t *testing.T) {
	for _, q := range []string{"0.5,0.5", "0.1,0.50,0.5", "0,-0"} {
		wantUsage(t, []string{"predict", "--model", "m.npz", "--data", "x.csv", "--quantiles", q}, "--quantiles")
	}
}

// Every float flag of a model refuses NaN, ±Inf and values whose loss
// overflows (each of these trained to +Inf or NaN at epoch 1 or 2, after
// replacing --out), and takes its bounds.
func TestFloatFlagBounds(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		flag string
		bad  []string
		ok   string // the bound itself, legal
		with []string
	}{
		{"--lr", []string{"0", "-1", "NaN", "Inf", "10.001", "1e300"}, "10", nil},
		{"--lr-gamma", []string{"0", "NaN", "+Inf", "1e300", "1001"}, "1000", []string{"--lr", "0.01", "--lr-milestones", "1"}},
		{"--n-batch", []string{"0", "NaN", "Inf", "1e-300", "9e-7", "1.1e12"}, "1e12", nil},
		{"--prior-sigma", []string{"0", "NaN", "Inf", "1e-300", "1e300", "9e-7"}, "1e-6", nil},
		{"--likelihood-sigma", []string{"0", "NaN", "-Inf", "1e-300", "1.1e6"}, "1e6", nil},
		{"--prior-sigma1", []string{"NaN", "1e300", "0"}, "1e6", []string{"--prior", "mixture"}},
		{"--prior-sigma2", []string{"NaN", "1e-300", "-1"}, "1e-6", []string{"--prior", "mixture"}},
		{"--min-sigma", []string{"NaN", "1e300", "1e-300"}, "1e-6", []string{"--likelihood", "hetero"}},
	} {
		for _, v := range tc.bad {
			wantUsage(t, trainArgs(append(slices.Clone(tc.with), tc.flag, v, "--points", "100", "--out", out)...), tc.flag+" ")
		}
		args := trainArgs(append(slices.Clone(tc.with), tc.flag, tc.ok, "--points", "100", "--epochs", "2", "--report-every", "1", "--out", out)...)
		if code, _, stderr := runCLI(args...); code == exitUsage {
			t.Errorf("%s %s (the bound): refused: %s", tc.flag, tc.ok, stderr)
		}
	}
	// The lr-gamma 1000 row: 0.01 · 1000 = 10 after one milestone.
	wantUsage(t, trainArgs("--lr", "0.02", "--lr-gamma", "1000", "--lr-milestones", "5", "--out", out), "rises to 20")
}

// --resume takes --x-cols and --y-col naming the columns a model trained
// without them took by default (a flag that does not differ), and refuses
// other columns, naming the model's.
func TestResumeDefaultColumnsNamed(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var rows strings.Builder
	rows.WriteString("a,b,y\n")
	for i := range 40 {
		a, b := float64(i)/40, math.Cos(float64(i))
		fmt.Fprintf(&rows, "%g,%g,%g\n", a, b, 2*a+b+0.1*math.Sin(float64(i)))
	}
	writeTestFile(t, dir, "d.csv", rows.String())
	if code, _, stderr := runCLI(trainArgs("--data", "d.csv", "--save", "m.npz", "--out", "o1")...); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(trainArgs("--resume", "m.npz", "--epochs", "30", "--x-cols", "a, b", "--y-col", "y", "--out", "o2")...); code != exitOK {
		t.Errorf("--x-cols a,b --y-col y, the default columns: exit %d: %s", code, stderr)
	}
	wantUsage(t, trainArgs("--resume", "m.npz", "--epochs", "30", "--x-cols", "b,a", "--out", "o3"), "--x-cols b,a: m.npz was trained without --x-cols (on its columns a,b)")
	wantUsage(t, trainArgs("--resume", "m.npz", "--epochs", "30", "--y-col", "a", "--out", "o3"), "--y-col a: m.npz was trained without --y-col (its target: y)")
}
