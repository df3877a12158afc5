package graph

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

var update = flag.Bool("update", false, "rewrite testdata/parity.json from the float64 CPU graph")

// parityRecord is the loss and a summary of every gradient for one network
// with fixed parameters and epsilon: the reference that every build (pure
// Go, OpenBLAS, CUDA on a GPU) and dtype must reproduce.
type parityRecord struct {
	Name  string
	Loss  float64
	Grads []gradSummary
}

type gradSummary struct {
	Name string
	Norm float64   // L2 norm of the whole gradient
	Idx  []int     // sampled positions
	Vals []float64 // the gradient there
}

var parityCases = []struct {
	name   string
	hidden int
	rows   int
}{
	{"seed-width", 20, 200},
	{"wide", 128, 300},
}

// TestParityGolden computes loss and gradients at float32 (and float64 on
// the CPU) and compares them with testdata/parity.json, written from the
// float64 CPU graph with -update. In the CUDA build the float32 graph is the
// stock-ops graph on the GPU, so the same test checks GPU against CPU.
func TestParityGolden(t *testing.T) {
	path := filepath.Join("testdata", "parity.json")
	if *update {
		var recs []parityRecord
		for _, pc := range parityCases {
			recs = append(recs, parityRun(t, pc.name, pc.hidden, pc.rows, tensor.Float64, false))
		}
		b, _ := json.MarshalIndent(recs, "", " ")
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with go test ./graph -run ParityGolden -update)", err)
	}
	var want []parityRecord
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for i, pc := range parityCases {
		for _, v := range parityVariants() {
			t.Run(fmt.Sprintf("%s/%s", pc.name, v.name), func(t *testing.T) {
				got := parityRun(t, pc.name, pc.hidden, pc.rows, v.dtype, v.stock)
				tol := 2e-4 // float32: relative to the loss, and to each gradient's norm
				if v.dtype == tensor.Float64 {
					tol = 1e-9
				}
				compareParity(t, got, want[i], tol)
			})
		}
	}
}

type parityVariant struct {
	name  string
	dtype tensor.Dtype
	stock bool
}

func compareParity(t *testing.T, got, want parityRecord, tol float64) {
	t.Helper()
	if d := math.Abs(got.Loss - want.Loss); d > tol*math.Abs(want.Loss) {
		t.Errorf("loss %v, want %v (rel. diff %.2g)", got.Loss, want.Loss, d/math.Abs(want.Loss))
	}
	for k, w := range want.Grads {
		g := got.Grads[k]
		if d := math.Abs(g.Norm - w.Norm); d > tol*w.Norm+1e-12 {
			t.Errorf("|d loss/d %s| = %v, want %v", w.Name, g.Norm, w.Norm)
		}
		for j := range w.Vals {
			if d := math.Abs(g.Vals[j] - w.Vals[j]); d > tol*w.Norm+1e-12 {
				t.Errorf("d loss/d %s[%d] = %v, want %v (norm %v)", w.Name, w.Idx[j], g.Vals[j], w.Vals[j], w.Norm)
				break
			}
		}
	}
}

// parityRun builds the network with seeded parameters and epsilon (drawn in
// float64, then converted) and returns its loss and gradient summary.
func parityRun(t *testing.T, name string, hidden, rows int, dt tensor.Dtype, stock bool) parityRecord {
	t.Helper()
	n := netLike(t, Config{Layers: 5, Hidden: hidden, LikelihoodSigma: 0.5, Dtype: dt, StockOps: stock}, rows, 11)
	if err := n.Differentiate(); err != nil {
		t.Fatal(err)
	}
	loss, grads := lossAndGrads(t, n)
	rec := parityRecord{Name: name, Loss: loss}
	for i, vals := range grads {
		s := gradSummary{Name: n.Learnables()[i].Name()}
		for _, x := range vals {
			s.Norm += x * x
		}
		s.Norm = math.Sqrt(s.Norm)
		step := max(1, len(vals)/16)
		for j := 0; j < len(vals); j += step {
			s.Idx = append(s.Idx, j)
			s.Vals = append(s.Vals, vals[j])
		}
		rec.Grads = append(rec.Grads, s)
	}
	return rec
}

// netLike is smallNet's network (float64 draws of inputs, parameters and
// epsilon from seed) built from cfg, at cfg's dtype and ops.
func netLike(t *testing.T, cfg Config, rows int, seed uint64) *Network {
	t.Helper()
	ref := smallNet(t, Config{Layers: cfg.Layers, Hidden: cfg.Hidden, LikelihoodSigma: cfg.LikelihoodSigma}, rows, seed)
	cfg.Init = ref.Config.Init
	n, err := New(cfg, rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]G.Nodes{{n.Learnables(), ref.Learnables()}, {n.Eps(), ref.Eps()}, {{n.X, n.Y}, {ref.X, ref.Y}}} {
		if cfg.Estimator == LocalReparam && len(pair[0]) > 0 && pair[0][0] == n.Eps()[0] {
			continue // eps of other shapes than ref's: the caller fills them
		}
		for i := range pair[0] {
			v, _ := Values(pair[1][i])
			if err := SetValues(pair[0][i], v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return n
}

// lossAndGrads runs n once and returns the loss and every gradient, read
// through host copies (Gorgonia's Read of a value in GPU memory is untested).
func lossAndGrads(t *testing.T, n *Network) (float64, [][]float64) {
	t.Helper()
	host := func(x *G.Node) *G.Node {
		h, err := nodes.Host(x)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	var loss G.Value
	G.Read(host(n.Loss), &loss)
	gv := make([]G.Value, len(n.Grads))
	for i, g := range n.Grads {
		G.Read(host(g), &gv[i])
	}
	vm := G.NewTapeMachine(n.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	l, err := Scalar(loss)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(gv))
	for i, v := range gv {
		if out[i], err = ValueFloats(v); err != nil {
			t.Fatal(err)
		}
	}
	return l, out
}
