//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/npz"
	"github.com/bbb-go/bbb/modelfile"
)

// modelfile.Params names and shapes the parameters graph.New builds, in order,
// for each likelihood, task and depth.
func TestDescParamsMatchGraph(t *testing.T) {
	for _, c := range []graph.Config{
		{Layers: 1, Hidden: 4, Inputs: 3},
		{Layers: 3, Hidden: 5, Inputs: 2, Likelihood: graph.LikLearned{}},
		{Layers: 2, Hidden: 4, Inputs: 1, Likelihood: graph.LikHetero{}},
		{Layers: 3, Hidden: 6, Inputs: 7, Task: graph.Classification, Classes: 4},
	} {
		net, err := graph.New(c, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []modelfile.Param
		for _, p := range net.Learnables() {
			got = append(got, modelfile.Param{Name: p.Name(), Shape: []int(p.Shape())})
		}
		want := modelfile.Params(c)
		if !slices.EqualFunc(got, want, func(a, b modelfile.Param) bool { return a.Name == b.Name && slices.Equal(a.Shape, b.Shape) }) {
			t.Errorf("%+v:\ngraph %v\ndesc  %v", c, got, want)
		}
		if err := checkDesc(c); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// checkDesc bounds every size, naming the flag, in one line (with 64 GiB
// of memory available).
func TestCheckDescBounds(t *testing.T) {
	defer func(f func() float64) { descMemory = f }(descMemory)
	descMemory = func() float64 { return 64 << 30 }
	for _, c := range []struct {
		cfg  graph.Config
		want string // "" accepted
	}{
		{graph.Config{Layers: modelfile.MaxLayers, Hidden: 20}, ""},
		{graph.Config{Layers: modelfile.MaxLayers + 1, Hidden: 20}, "--layers 65: want 1 to 64"},
		{graph.Config{Layers: 500, Hidden: 20}, "--layers 500: want 1 to 64"},
		{graph.Config{Layers: 100000, Hidden: 20}, "--layers 100000"},
		{graph.Config{Layers: -1, Hidden: 20}, "--layers -1"},
		{graph.Config{Layers: 1, Hidden: modelfile.MaxHidden + 1}, "--hidden 65537: want 1 to 65536"},
		{graph.Config{Layers: 5, Hidden: 100000}, "--hidden 100000: the run needs about"},
		{graph.Config{Layers: 2, Hidden: -3}, "--hidden -3"},
		{graph.Config{Layers: 2, Hidden: 4, Inputs: modelfile.MaxInputs + 1}, "inputs 1048577"},
		{graph.Config{Layers: 2, Hidden: 4, Task: graph.Classification, Classes: modelfile.MaxClasses + 1}, "outputs 65537"},
		{graph.Config{Layers: 3, Hidden: 20000, Inputs: 1}, "--hidden 20000 --layers 3 with 1 inputs: 4e+08 weights, over the 268435456"},
		{graph.Config{Layers: 5, Hidden: 20000, Inputs: 1, Dtype: tensor.Float64}, "--hidden 20000: the run needs about 107.3 GiB of memory for its parameters alone (--layers 5), 64.0 GiB is available"},
		{graph.Config{Layers: 3, Hidden: 11000, Inputs: 1}, ""},
		{graph.Config{Layers: 1, Hidden: 1, Inputs: modelfile.MaxInputs, Likelihood: graph.LikHetero{}}, ""},
		{graph.Config{Layers: 2, Hidden: 300, Inputs: modelfile.MaxInputs}, "weights, over"},
	} {
		err := checkDesc(c.cfg)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n")):
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}

// withMeta rewrites a model's meta JSON through edit (rewriteMeta,
// values_test.go).
func withMeta(t *testing.T, src, dst string, edit func(m map[string]any)) {
	t.Helper()
	rewriteMeta(t, src, dst, edit)
}

// runWithin runs the CLI and fails the test if it has not returned within
// limit: a guard against hangs (a correctness bound, not a benchmark).
func runWithin(t *testing.T, limit time.Duration, args ...string) (int, string) {
	t.Helper()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, stderr := runCLI(args...)
		done <- result{code, stderr}
	}()
	select {
	case r := <-done:
		return r.code, r.stderr
	case <-time.After(limit):
		t.Fatalf("%v: still running after %v", args, limit)
	}
	return 0, ""
}

// Damaged, oversized or unreadable models are refused before anything is
// built, fast, with one line naming the flag and the file: a flipped byte
// in a parameter or in Adam's state (CRC-32), a meta of 100000 layers or
// of another width than its arrays, a device and a FIFO.
func TestModelRefused(t *testing.T) {
	dir, model, data := savedModel(t)
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(member string) string {
		// The last byte of the member's values: a float32 array of 2 × 8
		// (w_mu0) after its 128-byte .npy header; the local header has no
		// extra field before the name.
		at := bytes.Index(b, []byte("\x00\x00"+member+".npy"))
		at = bytes.Index(b[at:], []byte("\x93NUMPY")) + at + 128 + 2*8*4 - 1
		d := bytes.Clone(b)
		d[at] ^= 1
		p := filepath.Join(dir, strings.ReplaceAll(member, "/", "_")+".npz")
		os.WriteFile(p, d, 0o644)
		return p
	}
	deep, wide, liar := filepath.Join(dir, "deep.npz"), filepath.Join(dir, "wide.npz"), filepath.Join(dir, "liar.npz")
	flag := func(name, v string) func(map[string]any) { // (a version 2 file's)
		return func(m map[string]any) { asVersion2(t, m); m["flags"].(map[string]any)[name] = v }
	}
	withMeta(t, model, deep, flag("layers", "100000"))
	withMeta(t, model, wide, flag("hidden", "1000000000"))
	withMeta(t, model, liar, flag("hidden", "9"))
	// The same in version 3: the Model's network.
	deep3, wide3, liar3 := filepath.Join(dir, "deep3.npz"), filepath.Join(dir, "wide3.npz"), filepath.Join(dir, "liar3.npz")
	network := func(name string, v int) func(map[string]any) {
		return func(m map[string]any) { m["model"].(map[string]any)["network"].(map[string]any)[name] = v }
	}
	withMeta(t, model, deep3, network("layers", 100000))
	withMeta(t, model, wide3, network("hidden", 1000000000))
	withMeta(t, model, liar3, network("hidden", 9))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "o2")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"predict", "--model", flip("w_mu0"), "--data", data}, "w_mu0.npz: array w_mu0: bad CRC-32"},
		{[]string{"train", "--resume", flip("w_mu0"), "--epochs", "8", "--out", out}, "--resume " + filepath.Join(dir, "w_mu0.npz") + ": array w_mu0: bad CRC-32"},
		{[]string{"train", "--resume", flip("adam/m/w_mu0"), "--epochs", "8", "--out", out}, "array adam/m/w_mu0: bad CRC-32"},
		{[]string{"predict", "--model", deep, "--data", data}, "--model " + deep + ": meta: --layers 100000: want 1 to 64"},
		{[]string{"train", "--resume", deep, "--epochs", "8", "--out", out}, "--resume " + deep + ": meta: --layers 100000"},
		{[]string{"predict", "--model", wide, "--data", data}, "meta: --hidden 1000000000: the run needs about"},
		{[]string{"predict", "--model", liar, "--data", data}, "parameter w_mu0: shape [2 8] in the file, the model needs [2 9] (--layers 3 --hidden 9, 2 inputs)"},
		{[]string{"predict", "--model", deep3, "--data", data}, "--model " + deep3 + ": meta: --layers 100000: want 1 to 64"},
		{[]string{"train", "--resume", deep3, "--epochs", "8", "--out", out}, "--resume " + deep3 + ": meta: --layers 100000"},
		{[]string{"predict", "--model", wide3, "--data", data}, "meta: --hidden 1000000000: the run needs about"},
		{[]string{"predict", "--model", liar3, "--data", data}, "parameter w_mu0: shape [2 8] in the file, the model needs [2 9] (--layers 3 --hidden 9, 2 inputs)"},
		{[]string{"predict", "--model", "/dev/zero", "--data", data}, "--model /dev/zero: not a regular file: a device"},
		{[]string{"predict", "--model", fifo, "--data", data}, "not a regular file: a FIFO"},
		{[]string{"train", "--resume", fifo, "--out", out}, "--resume " + fifo + ": not a regular file: a FIFO"},
	} {
		start := time.Now()
		code, stderr := runWithin(t, 10*time.Second, append(c.args, "-q")...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want 2 and one line with %q", c.args, code, stderr, c.want)
		}
		if d := time.Since(start); d > 2*time.Second { // refused before any build: a generous guard
			t.Errorf("%v: refused after %v", c.args, d)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused run wrote --out")
	}
}

// --data that cannot be bounded is refused in one line, fast: a device, a
// FIFO and a file with no line break within data.MaxCSVLine (sparse: no
// real bytes on disk); --layers over the bound names the flag.
func TestBoundedInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse.csv")
	f, _ := os.Create(sparse)
	if err := f.Truncate(2 * data.MaxCSVLine); err != nil {
		t.Skipf("no sparse file: %v", err)
	}
	f.Close()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("x\n1\n"), 0o644)
	out := filepath.Join(dir, "o")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", "/dev/zero", "--out", out}, "--data: /dev/zero: not a regular file: a device"},
		{[]string{"train", "--data", fifo, "--out", out}, "--data: " + fifo + ": not a regular file: a FIFO"},
		{[]string{"train", "--data", sparse, "--out", out}, "sparse.csv: line 1 is longer than " + strconv.Itoa(data.MaxCSVLine) + " bytes"},
		{[]string{"train", "--layers", "500", "--out", out}, "--layers 500: want 1 to 64"},
		{[]string{"bench", "--layers-list", "5,500", "--out", out}, "--layers-list 500: want 1 to 64"},
		{[]string{"dot", "--layers", "100000"}, "--layers 100000: want 1 to 64"},
		{[]string{"bench", "--compare", "/dev/zero", "--out", out}, "--compare /dev/zero: not a regular file: a device"},
		{[]string{"bench", "--compare", fifo, "--out", out}, "--compare " + fifo + ": not a regular file: a FIFO"},
		{[]string{"bandit", "--data", "/dev/zero", "--out", out}, "--data /dev/zero: not a regular file: a device"},
		{[]string{"bandit", "--data", fifo, "--out", out}, "--data " + fifo + ": not a regular file: a FIFO"},
	} {
		code, stderr := runWithin(t, 10*time.Second, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want 2 and one line with %q", c.args, code, stderr, c.want)
		}
	}
}

// FuzzCheckpointMeta: any meta over a model's arrays is refused quickly
// or describes what the file holds, and then builds (the training graph
// and its tape machine, as predict and --resume do) within a time and an
// allocation bound. The file holds the arrays of the meta's own model when
// they are small, else of a small model: a meta cannot make bbb build more
// than its file holds.
func FuzzCheckpointMeta(f *testing.F) {
	for _, s := range []struct {
		layers, hidden, inputs, classes int
		lik                             string
	}{
		{3, 8, 2, 0, "fixed"}, {1, 1, 1, 0, "learned"}, {modelfile.MaxLayers, 4, 1, 0, "hetero"}, {2, 16, 784, 10, "fixed"},
		{100000, 20, 1, 0, "fixed"}, {5, 1 << 30, 1, 0, "fixed"}, {-1, 0, 0, 0, "x"}, {65, 1, 1, 0, "fixed"},
	} {
		f.Add(s.layers, s.hidden, s.inputs, s.classes, s.lik)
	}
	f.Fuzz(func(t *testing.T, layers, hidden, inputs, classes int, lik string) {
		// A version 2 meta: the flags as recorded.
		meta := map[string]any{
			"format": modelfile.Format, "version": 2, "inputs": inputs,
			"flags": map[string]string{"layers": strconv.Itoa(layers), "hidden": strconv.Itoa(hidden), "likelihood": lik},
		}
		if classes != 0 {
			meta["task"], meta["classes"] = graph.Classification.String(), classes
		}
		var params []string
		// The arrays: of the meta's model where it is valid and small, else
		// of a 2-layer model of 4.
		file := graph.Config{Layers: layers, Hidden: hidden, Inputs: inputs, Likelihood: map[string]graph.Likelihood{"learned": graph.LikLearned{}, "hetero": graph.LikHetero{}}[lik]}
		if classes != 0 {
			file.Task, file.Classes = graph.Classification, classes
		}
		if checkDesc(file) != nil || file.WithDefaults().Validate() != nil || !small(file) {
			file = graph.Config{Layers: 2, Hidden: 4, Inputs: 1}
		}
		arrays := map[string]npz.Array{}
		for _, p := range modelfile.Params(file) {
			n := 1
			for _, d := range p.Shape {
				n *= d
			}
			arrays[p.Name] = npz.Array{Shape: p.Shape, Data: make([]float32, n)}
			params = append(params, p.Name)
		}
		meta["params"] = params
		mb, _ := json.Marshal(meta)
		arrays["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
		var buf bytes.Buffer
		if err := npz.Write(&buf, arrays); err != nil {
			t.Fatal(err)
		}

		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		c, err := modelfile.Parse(buf.Bytes())
		var cfg graph.Config
		if err == nil {
			cfg, err = checkpointDesc(c)
		}
		if err != nil {
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Fatalf("refused after %v: %v", d, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		net, err := graph.New(cfg, 1)
		if err != nil {
			t.Fatalf("accepted, then graph.New: %v", err)
		}
		if err := c.SetParams(net); err != nil {
			t.Fatalf("accepted, then SetParams: %v", err)
		}
		G.NewTapeMachine(net.Graph).Close()
		runtime.ReadMemStats(&after)
		// Measured: the largest accepted models here (64 layers; 2^20
		// values) build in about 0.1 s and allocate under 100 MiB.
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%+v: built in %v", cfg, d)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
			t.Fatalf("%+v: built with %d MiB allocated", cfg, alloc>>20)
		}
	})
}

// small: the model's parameters are at most 2^20 values (the fuzzer
// writes them).
func small(c graph.Config) bool {
	n := 0
	for _, p := range modelfile.Params(c) {
		size := 1
		for _, d := range p.Shape {
			size *= d
		}
		if n += size; n > 1<<20 {
			return false
		}
	}
	return true
}
