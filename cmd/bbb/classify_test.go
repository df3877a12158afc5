package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// mnistArgs is a small --preset mnist run: 2000 training images, one epoch.
func mnistArgs(out string, extra ...string) []string {
	return append([]string{"train", "--preset", "mnist", "--hidden", "100", "--mnist-train", "2000", "--mnist-val", "500",
		"--mnist-test", "500", "--epochs", "2", "--samples", "3", "-q", "--out", out}, extra...)
}

// The MNIST job end to end on 2000 images: summary keys that match the
// flags, learning that shows in the errors, the figures, a model that
// prune reads; prune removes the shares asked and reports each.
func TestMNISTRunAndPrune(t *testing.T) {
	dir := t.TempDir()
	out, model := filepath.Join(dir, "run"), filepath.Join(dir, "model.npz")
	code, stdout, stderr := runCLI(mnistArgs(out, "--save", model)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s map[string]any
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"task": "classification", "dataset": "mnist", "hidden": 100.0, "layers": 3.0,
		"epochs": 2.0, "batch_size": 128.0, "train_images": 2000.0, "val_images": 500.0, "test_images": 500.0,
		"samples": 3.0, "classes": 10.0, "learning_rate": 0.001, "prior": "mixture:0.5,1,0.0024787521766663585", "threads": 0.0} {
		if s[k] != want {
			t.Errorf("summary %s = %v, want %v", k, s[k], want)
		}
	}
	// Two epochs on 2000 images: far better than chance (90 % error).
	for _, k := range []string{"test_error", "test_error_single", "val_error"} {
		if v, _ := s[k].(float64); !(v > 0 && v < 0.35) {
			t.Errorf("%s = %v, want in (0, 0.35)", k, s[k])
		}
	}
	if v, _ := s["test_nll"].(float64); !(v > 0 && v < 1.5) {
		t.Errorf("test_nll = %v", s["test_nll"])
	}
	if !strings.Contains(stdout, "test_error ") {
		t.Errorf("stdout %q: want test_error", stdout)
	}
	lines := readLines(t, filepath.Join(out, "losses.csv"))
	if len(lines) != 3 || lines[0] != "epoch,train,val,val_nll,val_error,seconds" {
		t.Errorf("losses.csv: %q", lines)
	}
	l1, l2 := field(t, lines[1], 1), field(t, lines[2], 1)
	if !(l2 < l1) {
		t.Errorf("training loss per image %v then %v: want it lower", l1, l2)
	}
	for _, f := range []string{"learning_curve.png", "weights.png", "graph.dot"} {
		checkPNGOrFile(t, filepath.Join(out, f))
	}

	pout := filepath.Join(dir, "prune")
	code, stdout, stderr = runCLI("prune", "--model", model, "--fractions", "0.5,0.9", "--mnist-test", "500", "--samples", "3", "-q", "--out", pout)
	if code != exitOK {
		t.Fatalf("prune: exit %d: %s", code, stderr)
	}
	rows := readLines(t, filepath.Join(pout, "prune.csv"))
	if len(rows) != 4 || !strings.HasPrefix(rows[0], "fraction,removed,") {
		t.Fatalf("prune.csv: %q", rows)
	}
	weights := 784*100 + 100*100 + 100*10
	for i, frac := range []float64{0, 0.5, 0.9} {
		if got := int(field(t, rows[i+1], 1)); got != int(frac*float64(weights)+0.5) {
			t.Errorf("fraction %v: removed %d of %d", frac, got, weights)
		}
		if e := field(t, rows[i+1], 3); !(e >= 0 && e <= 1) {
			t.Errorf("fraction %v: test error %v", frac, e)
		}
	}
	// The unpruned row is the saved model's test error, as train measured
	// it (same images, draws and seed stream: the file holds the model).
	if e, want := field(t, rows[1], 3), s["test_error"].(float64); e != want {
		t.Errorf("unpruned error %v, train's %v", e, want)
	}
	for _, f := range []string{"snr.png", "prune_error.png"} {
		checkPNGOrFile(t, filepath.Join(pout, f))
	}
	if !strings.Contains(stdout, "0.9") {
		t.Errorf("prune stdout %q", stdout)
	}

	// Prune, then retrain (--from --prune): the summary says what was
	// removed, and the removed weights stay out of the model: a
	// prune of the same share removes just them and changes no prediction.
	rout, retrained := filepath.Join(dir, "retrain"), filepath.Join(dir, "retrained.npz")
	code, _, stderr = runCLI(mnistArgs(rout, "--from", model, "--prune", "0.5", "--epochs", "1", "--no-figures", "--save", retrained)...)
	if code != exitOK {
		t.Fatalf("retrain: exit %d: %s", code, stderr)
	}
	b, err = os.ReadFile(filepath.Join(rout, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rs map[string]any
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"from": model, "prune": 0.5, "pruned_weights": float64(weights / 2), "epochs": 1.0} {
		if rs[k] != want {
			t.Errorf("retrained summary %s = %v, want %v", k, rs[k], want)
		}
	}
	if v, _ := rs["test_error"].(float64); !(v > 0 && v < 0.35) {
		t.Errorf("retrained test_error = %v", rs["test_error"])
	}
	pout = filepath.Join(dir, "prune-retrained")
	if code, _, stderr = runCLI("prune", "--model", retrained, "--fractions", "0.5", "--mnist-test", "500", "--samples", "3", "-q", "--out", pout); code != exitOK {
		t.Fatalf("prune of the retrained model: exit %d: %s", code, stderr)
	}
	rows = readLines(t, filepath.Join(pout, "prune.csv"))
	if len(rows) != 3 {
		t.Fatalf("prune.csv: %q", rows)
	}
	if e0, e5, want := field(t, rows[1], 3), field(t, rows[2], 3), rs["test_error"].(float64); e0 != want || e5 != want {
		t.Errorf("retrained model: test error %v, %v with the same share pruned again; train measured %v", e0, e5, want)
	}

	// The retrained model trains on without --prune ("continues
	// training"): its held weights stay held (sigma 1.8e-35 would give NaN
	// at the first step), the summary counts them.
	cout := filepath.Join(dir, "continued")
	if code, _, stderr = runCLI(mnistArgs(cout, "--from", retrained, "--epochs", "1", "--no-figures")...); code != exitOK {
		t.Fatalf("--from the pruned model without --prune: exit %d: %s", code, stderr)
	}
	b, err = os.ReadFile(filepath.Join(cout, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs map[string]any
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	if v, _ := cs["test_error"].(float64); !(v > 0 && v < 0.35) || cs["pruned_weights"] != float64(weights/2) {
		t.Errorf("continued from the pruned model: test_error %v, pruned_weights %v; want < 0.35 and %d", cs["test_error"], cs["pruned_weights"], weights/2)
	}

	// What a classifier model cannot be used for: one line naming the
	// flag or file, exit 2, and the model left alone.
	runDir := filepath.Join(dir, "run2")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	inRun := filepath.Join(runDir, "model.npz")
	if err := os.Link(model, inRun); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(csv, []byte("x\n1\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"prune", "--model", inRun, "--out", runDir}, "--out"},
		{[]string{"prune", "--model", model, "--fractions", "1e-9", "--out", filepath.Join(dir, "p2")}, "--fractions"},
		{[]string{"prune", "--model", model, "--fractions", "0.5,0.999999", "--out", filepath.Join(dir, "p2")}, "--fractions"},
		{[]string{"predict", "--model", model, "--data", csv, "--out", filepath.Join(dir, "pred.csv")}, "classification"},
		{[]string{"train", "--resume", model, "--out", filepath.Join(dir, "r2")}, "classification"},
		{mnistArgs(runDir, "--from", inRun), "--out"},
		{mnistArgs(filepath.Join(dir, "r3"), "--from", model, "--hidden", "50"), "--from"},
		{mnistArgs(filepath.Join(dir, "r3"), "--from", model, "--layers", "4"), "--from"},
		{mnistArgs(filepath.Join(dir, "r3"), "--from", model, "--prune", "1e-9"), "--prune"},
		{mnistArgs(filepath.Join(dir, "r3"), "--from", model, "--prune", "0.9999999"), "--prune"},
		{mnistArgs(filepath.Join(dir, "r3"), "--from", model, "--prune", "0.5", "--prior", "normal", "--kl", "closed", "--local-reparam"), "--local-reparam"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q: want 2 and one line naming %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(inRun); err != nil {
		t.Errorf("the model inside --out: %v", err)
	}
}

// Bad input for the MNIST job and prune: exit 2, one line naming the flag
// or file, nothing written.
func TestMNISTBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	regression := filepath.Join(dir, "regression.npz")
	if code, _, stderr := runCLI("train", "--epochs", "2", "--samples", "2", "--points", "40", "--no-figures",
		"--no-train-band", "-q", "--out", filepath.Join(dir, "r"), "--save", regression); code != exitOK {
		t.Fatalf("regression model: %s", stderr)
	}
	corrupt := filepath.Join(dir, "corrupt")
	if err := os.MkdirAll(corrupt, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		if err := os.WriteFile(filepath.Join(corrupt, f), []byte("\x1f\x8bnot really gzip"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	junk := filepath.Join(dir, "junk.npz")
	if err := os.WriteFile(junk, []byte("PK not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	mn := func(extra ...string) []string {
		return append([]string{"train", "--preset", "mnist", "--out", out}, extra...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{mn("--hidden", "0"), "--hidden"},
		{mn("--hidden", "-3"), "--hidden"},
		{mn("--layers", "0"), "--layers"},
		{mn("--epochs", "0"), "--epochs"},
		{mn("--samples", "0"), "--samples"},
		{mn("--val-samples", "0"), "--val-samples"},
		{mn("--mnist-train", "-1"), "--mnist-train"},
		{mn("--mnist-test", "-1"), "--mnist-test"},
		{mn("--batch-size", "-1"), "--batch-size"},
		{mn("--points", "100"), "--points"},
		{mn("--likelihood", "learned"), "--likelihood"},
		{mn("--data", regression), "--data"},
		{mn("--resume", regression), "--resume"},
		{mn("--mnist-dir", filepath.Join(dir, "nowhere")), "--mnist-dir"},
		{mn("--mnist-dir", corrupt), "--mnist-dir"},
		{mn("--hidden", "2000000"), "--hidden"},
		{mn("--mnist-train", "100", "--batch-size", "200"), "--batch-size"},
		{[]string{"train", "--mnist-train", "100", "--out", out}, "--mnist-train"},
		{[]string{"train", "--prune", "0.5", "--out", out}, "--prune"},
		{[]string{"train", "--from", regression, "--out", out}, "--from"},
		{mn("--prune", "0.5"), "--from"},
		{mn("--prune", "1", "--from", regression), "--prune"},
		{mn("--prune", "-0.5", "--from", regression), "--prune"},
		{mn("--prune", "NaN", "--from", regression), "--prune"},
		{mn("--from", regression), "--from"},
		{mn("--from", junk), junk},
		{mn("--from", filepath.Join(dir, "missing.npz")), "missing.npz"},
		{[]string{"prune", "--fractions", "0.5"}, "--model"},
		{[]string{"prune", "--model", regression, "--fractions", "0,0.5"}, "--fractions"},
		{[]string{"prune", "--model", regression, "--fractions", "0.5,1"}, "--fractions"},
		{[]string{"prune", "--model", regression, "--fractions", "0.9,0.5"}, "--fractions"},
		{[]string{"prune", "--model", regression, "--fractions", "0.5,0.5"}, "--fractions"},
		{[]string{"prune", "--model", regression, "--fractions", "half"}, "--fractions"},
		{[]string{"prune", "--model", regression, "--fractions", "NaN"}, "--fractions"},
		{[]string{"prune", "--model", regression, "--out", out}, regression},
		{[]string{"prune", "--model", junk, "--out", out}, junk},
		{[]string{"prune", "--model", filepath.Join(dir, "missing.npz"), "--out", out}, "missing.npz"},
		{[]string{"prune", "--model", regression, "--samples", "0"}, "--samples"},
		{[]string{"prune", "--model", regression, "--format", "gif"}, "--format"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, exitUsage, stderr)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q: want one line naming %q", tc.args, stderr, tc.want)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) > 0 {
		t.Errorf("bad input wrote %d files to --out", len(ents))
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func field(t *testing.T, line string, i int) float64 {
	t.Helper()
	f := strings.Split(line, ",")
	if i >= len(f) {
		t.Fatalf("line %q: no field %d", line, i)
	}
	v, err := strconv.ParseFloat(f[i], 64)
	if err != nil {
		t.Fatalf("line %q field %d: %v", line, i, err)
	}
	return v
}

func checkPNGOrFile(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil || st.Size() < 100 {
		t.Errorf("%s: %v (size %v)", path, err, st)
	}
}
