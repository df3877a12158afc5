package graph

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/nodes"
)

// torchCase is one network of testdata/torch_golden.json: inputs,
// parameters and epsilon, and the loss and gradients PyTorch's autograd
// computed from the model's definition (scripts/torch_golden.py, `make
// goldens`). Unlike testdata/parity.json, nothing in it comes from this
// project's code, so it cannot bless a bug of the graph.
type torchCase struct {
	Name                 string
	Layers, Hidden, Rows int
	Inputs, Outputs      int
	NBatch               float64 `json:"n_batch"`
	PriorMu              float64 `json:"prior_mu"`
	PriorSigma           float64 `json:"prior_sigma"`
	LikelihoodSigma      float64 `json:"likelihood_sigma"`
	X, Y                 []float64
	Params, Eps, Grads   []namedValues
	Loss, NLL, KL        float64
}

type namedValues struct {
	Name   string
	Values []float64
}

func loadTorchGolden(t *testing.T) []torchCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch_golden.json"))
	if err != nil {
		t.Fatalf("%v (make goldens writes it)", err)
	}
	var doc struct{ Cases []torchCase }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("no cases in torch_golden.json")
	}
	return doc.Cases
}

// TestTorchGolden: every graph variant of this build (on the CPU: fused and
// stock ops, float64 and float32; in the CUDA build: the GPU's) gives
// PyTorch's loss, NLL, KL and every element of every gradient.
func TestTorchGolden(t *testing.T) {
	for _, tc := range loadTorchGolden(t) {
		for _, v := range parityVariants() {
			t.Run(fmt.Sprintf("%s/%s", tc.Name, v.name), func(t *testing.T) {
				cfg := Config{
					Layers: tc.Layers, Hidden: tc.Hidden, Inputs: tc.Inputs, Outputs: tc.Outputs,
					NBatch: tc.NBatch, Prior: nodes.Normal{Mu: tc.PriorMu, Sigma: tc.PriorSigma},
					LikelihoodSigma: tc.LikelihoodSigma, Dtype: v.dtype, StockOps: v.stock,
				}
				n, err := New(cfg, tc.Rows)
				if err != nil {
					t.Fatal(err)
				}
				set := func(dst G.Nodes, src []namedValues) {
					if len(dst) != len(src) {
						t.Fatalf("%d nodes, golden has %d", len(dst), len(src))
					}
					for i, d := range dst {
						if d.Name() != src[i].Name {
							t.Fatalf("node %d is %s, golden %s", i, d.Name(), src[i].Name)
						}
						if err := SetValues(d, src[i].Values); err != nil {
							t.Fatal(err)
						}
					}
				}
				set(n.Learnables(), tc.Params)
				set(n.Eps(), tc.Eps)
				set(G.Nodes{n.X, n.Y}, []namedValues{{"x", tc.X}, {"y", tc.Y}})
				if err := n.Differentiate(); err != nil {
					t.Fatal(err)
				}
				// NLL and KL, read through host copies like the loss.
				parts := make([]G.Value, 2)
				for i, p := range []*G.Node{n.NLL, n.KL} {
					h, err := nodes.Host(p)
					if err != nil {
						t.Fatal(err)
					}
					G.Read(h, &parts[i])
				}
				loss, grads := lossAndGrads(t, n)
				tol := 1e-10
				if v.dtype == tensor.Float32 {
					tol = 2e-4 // relative to the loss, and to each gradient's norm
				}
				nll, _ := Scalar(parts[0])
				kl, _ := Scalar(parts[1])
				for _, c := range []struct {
					name      string
					got, want float64
				}{{"loss", loss, tc.Loss}, {"NLL", nll, tc.NLL}, {"KL", kl, tc.KL}} {
					if d := math.Abs(c.got - c.want); !(d <= tol*math.Abs(tc.Loss)) {
						t.Errorf("%s %v, PyTorch %v (diff %.2g)", c.name, c.got, c.want, d)
					}
				}
				for i, g := range tc.Grads {
					var norm float64
					for _, x := range g.Values {
						norm += x * x
					}
					norm = math.Sqrt(norm)
					if len(grads[i]) != len(g.Values) {
						t.Fatalf("d loss/d %s: %d values, PyTorch %d", g.Name, len(grads[i]), len(g.Values))
					}
					for j, want := range g.Values {
						if d := math.Abs(grads[i][j] - want); !(d <= tol*norm+1e-12) {
							t.Errorf("d loss/d %s[%d] = %v, PyTorch %v (norm %v)", g.Name, j, grads[i][j], want, norm)
							break
						}
					}
				}
			})
		}
	}
}

// Every node of a graph built for a dtype has that dtype (a float64 run
// must not compute in float32 anywhere, nor the reverse).
func TestGraphDtypeEverywhere(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, c := range []Config{{Layers: 3, Hidden: 4}, {Layers: 2, Hidden: 4, StockOps: true, NBatch: 3}, {Layers: 2, Hidden: 4, Resident: true, NBatch: 2}} {
			c.Dtype = dt
			n, err := New(c, 5)
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Differentiate(); err != nil {
				t.Fatal(err)
			}
			for _, node := range n.Graph.AllNodes() {
				if node.Dtype() != dt {
					t.Errorf("%v graph (stock %v, resident %v): node %s is %v", dt, c.StockOps, c.Resident, node.Name(), node.Dtype())
				}
			}
			if n.Config.Dtype != dt {
				t.Errorf("Config.Dtype %v, want %v", n.Config.Dtype, dt)
			}
		}
	}
}
