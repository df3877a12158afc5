package train

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/npz"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/nodes"
)

// blobs draws n points of 3 Gaussian blobs in the plane (std 0.6 around
// (−2, 0), (2, 0), (0, 3)): the Bayes classifier's error is about 0.1 %.
func blobs(n int, seed uint64) data.Split {
	r := rand.New(rand.NewPCG(seed, 1))
	centres := [3][2]float64{{-2, 0}, {2, 0}, {0, 3}}
	s := data.Split{Inputs: 2}
	for i := 0; i < n; i++ {
		c := i % 3
		s.X = append(s.X, centres[c][0]+0.6*r.NormFloat64(), centres[c][1]+0.6*r.NormFloat64())
		y := make([]float64, 3)
		y[c] = 1
		s.Y = append(s.Y, y...)
	}
	return s
}

// trainedBlobs is blobConfig's classifier trained for epochs on 96 blob
// points (validation: 30).
func trainedBlobs(t *testing.T, epochs int) *Trainer {
	t.Helper()
	c := blobConfig()
	c.Epochs = epochs
	tr, err := NewTrainer(c, data.Set{Train: blobs(96, 1), Val: blobs(30, 2)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return tr
}

func blobConfig() Config {
	return Config{
		Graph: graph.Config{Task: graph.Classification, Classes: 3, Inputs: 2, Layers: 2, Hidden: 16,
			Prior: nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: math.Exp(-6)},
			Init:  graph.Init{WMuStd: 0.3, WRhoMean: -5, Set: true}},
		Epochs: 15, LearningRate: 0.01, ReportEvery: 5, Samples: 10, Seed: 3,
		Batch: Batch{Size: 32},
	}
}

// A BBB classifier with the paper's MNIST model (mixture prior,
// minibatches, KL per minibatch) learns 3 blobs: > 95 % accuracy on
// held-out points, from the mean softmax and from one draw, and its loss
// falls.
func TestClassifierLearnsBlobs(t *testing.T) {
	set := data.Set{Train: blobs(600, 1), Val: blobs(300, 2)}
	tr, err := NewTrainer(blobConfig(), set)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	reports, err := tr.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if first, last := tr.TrainLosses[0], tr.TrainLosses[len(tr.TrainLosses)-1]; !(last < 0.5*first) {
		t.Errorf("training loss per point %v -> %v: want it halved", first, last)
	}
	if v := reports[len(reports)-1].ValLoss; !(v < 1) {
		t.Errorf("validation loss per point %v", v)
	}
	cl, err := NewClassifier(tr.Net, set.Val.Len())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	mean, first, err := cl.Probs(tr.Net, set.Val.X, 10, 4)
	if err != nil {
		t.Fatal(err)
	}
	s, err := metrics.ScoreClasses(mean, first, data.Labels(set.Val, 3), 3)
	if err != nil {
		t.Fatal(err)
	}
	if s.Error > 0.05 || s.ErrorSingle > 0.05 || !(s.NLL < 0.3) || !(s.ECE < 0.1) {
		t.Errorf("held-out scores %+v: want errors < 5 %%, NLL < 0.3, ECE < 0.1", s)
	}
}

// Probs: rows are distributions; the mean is the average of the draws
// (1 draw: mean = first); chunking does not change the answer; and a draw
// is a new weight sample (two draws differ).
func TestClassifierProbs(t *testing.T) {
	tr := trainedBlobs(t, 2)
	x := blobs(2500, 5).X // 3 chunks of ClassifyChunk
	whole, err := NewClassifier(tr.Net, 2500)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	m1, f1, err := whole.Probs(tr.Net, x, 1, 9)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m1 {
		if m1[i] != f1[i] {
			t.Fatalf("one draw: mean[%d] %v != first %v", i, m1[i], f1[i])
		}
	}
	for r := 0; r < 2500; r++ {
		if s := m1[3*r] + m1[3*r+1] + m1[3*r+2]; !(math.Abs(s-1) <= 1e-6) {
			t.Fatalf("row %d sums to %v", r, s)
		}
	}
	m3, f3, err := whole.Probs(tr.Net, x, 3, 9)
	if err != nil {
		t.Fatal(err)
	}
	small, err := NewClassifier(tr.Net, 7) // chunks of 7 rows
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	m3s, _, err := small.Probs(tr.Net, x[:2*75], 3, 9) // 10 chunks of 7, a last one of 5
	if err != nil {
		t.Fatal(err)
	}
	var differ int
	for i := range m3s {
		if !(math.Abs(m3s[i]-m3[i]) <= 1e-6) {
			t.Fatalf("chunks of 7: mean[%d] %v, chunks of 1000: %v", i, m3s[i], m3[i])
		}
	}
	for i := range m3 {
		if f3[i] != f1[i] {
			t.Fatalf("first draw differs between calls: %v vs %v", f3[i], f1[i])
		}
		if !(math.Abs(m3[i]-f3[i]) <= 1e-7) {
			differ++
		}
	}
	if differ == 0 {
		t.Error("the mean of 3 draws equals the first draw: the draws are not new weight samples")
	}
	if _, _, err := whole.Probs(tr.Net, x[:3], 1, 1); err == nil {
		t.Error("3 values of 2-wide rows: want an error")
	}
	if _, _, err := whole.Probs(tr.Net, x, 0, 1); err == nil {
		t.Error("0 samples: want an error")
	}
	if _, err := NewClassifier(smallRegression(t), 10); err == nil {
		t.Error("a regression network: want an error")
	}
}

func smallRegression(t *testing.T) *graph.Network {
	n, err := graph.New(graph.Config{Layers: 1, Hidden: 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// PosteriorMean runs the network at its means: the same for every seed,
// and what a draw gives when every sigma is 0 (rho at PrunedRho).
func TestClassifierPosteriorMean(t *testing.T) {
	tr := trainedBlobs(t, 2)
	cl, err := NewClassifier(tr.Net, 200)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	x := blobs(200, 3).X
	cl.PosteriorMean = true
	a, _, err := cl.Probs(tr.Net, x, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := cl.Probs(tr.Net, x, 1, 99)
	if err != nil {
		t.Fatal(err)
	}
	cl.PosteriorMean = false
	drawn, _, err := cl.Probs(tr.Net, x, 1, 99)
	if err != nil {
		t.Fatal(err)
	}
	var differ bool
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("posterior mean depends on the seed: %v vs %v", a[i], b[i])
		}
		differ = differ || math.Abs(a[i]-drawn[i]) > 1e-6
	}
	if !differ {
		t.Error("a weight draw gives the posterior mean's probabilities: the draw is not random")
	}
	for i, p := range tr.Net.Learnables() {
		if i%2 == 1 { // every rho: sigma 0
			v, _ := graph.Values(p)
			for j := range v {
				v[j] = PrunedRho
			}
			if err := graph.SetValues(p, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	zero, _, err := cl.Probs(tr.Net, x, 1, 99)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !(math.Abs(zero[i]-a[i]) <= 1e-6) {
			t.Fatalf("sigma 0: drawn %v, posterior mean %v", zero[i], a[i])
		}
	}
}

// A classifier's checkpoint says so (task, classes), and reads back; a
// regression one says nothing.
func TestClassifierCheckpointMeta(t *testing.T) {
	tr := trainedBlobs(t, 1)
	if len(tr.StepSeconds) != 1 || !(tr.StepSeconds[0] > 0) {
		t.Errorf("StepSeconds %v: want one positive time per epoch", tr.StepSeconds)
	}
	arrays, err := tr.Checkpoint(modelfile.Model{Network: modelfile.Network{Inputs: 2, Task: "stale", Classes: 99}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.npz")
	if err := modelfile.Write(path, arrays); err != nil {
		t.Fatal(err)
	}
	ck, err := modelfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Model.Network.Task != "classification" || ck.Model.Network.Classes != 3 || ck.Resident {
		t.Errorf("meta task %q, classes %d, resident %v: want classification, 3, false", ck.Model.Network.Task, ck.Model.Network.Classes, ck.Resident)
	}
	reg := ckptTrainer(t, tensor.Float32, 1)
	if _, err := reg.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	arrays, err = reg.Checkpoint(modelfile.Model{Network: modelfile.Network{Inputs: 1, Task: "classification", Classes: 4}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ck, err = modelfile.Parse(encodeFile(t, arrays))
	if err != nil || ck.Model.Network.Task != "" || ck.Model.Network.Classes != 0 {
		t.Errorf("regression checkpoint: task %q, classes %d, %v: want none", ck.Model.Network.Task, ck.Model.Network.Classes, err)
	}
}

func encodeNpz(t *testing.T, m map[string]npz.Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := npz.Write(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The classification outputs: losses.csv and summary.json, read back.
func TestClassOutputs(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "losses.csv")
	rs := []ClassReport{
		{Report: Report{Epoch: 1, TrainLoss: 3.5, ValLoss: 4.25}, ValError: 0.125, ValNLL: 0.5, Seconds: 2},
		{Report: Report{Epoch: 2, TrainLoss: 2.5, ValLoss: 3.25}, ValError: 0.0625, ValNLL: 0.25, Seconds: 1.5},
	}
	if err := WriteClassLosses(p, rs); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := "epoch,train,val,val_nll,val_error,seconds\n1,3.5,4.25,0.5,0.125,2.0000\n2,2.5,3.25,0.25,0.0625,1.5000\n"; string(b) != want {
		t.Errorf("losses.csv:\n%s\nwant:\n%s", b, want)
	}
	s := ClassSummary{Task: "classification", Dataset: "mnist", Epochs: 3, TestError: 0.0189, TestErrorMeanW: 0.0188, Figures: []string{"a.png"}}
	p = filepath.Join(dir, "summary.json")
	if err := WriteClassSummary(p, s); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"task": "classification", "dataset": "mnist", "epochs": 3.0, "test_error": 0.0189, "test_error_mean_weights": 0.0188} {
		if back[k] != want {
			t.Errorf("summary %s = %v, want %v", k, back[k], want)
		}
	}
	if err := WriteClassLosses(filepath.Join(dir, "no", "such", "dir", "l.csv"), rs); err == nil {
		t.Error("losses into a missing folder: want an error")
	}
}

// Probs' argument checks, its context, and the local reparameterisation
// (noise per input row: drawn per chunk, and off at the posterior means).
func TestClassifierProbsEdges(t *testing.T) {
	c := blobConfig()
	c.Epochs = 1
	c.Graph.Prior = nil
	c.Graph.KL, c.Graph.Estimator = graph.KLClosed, graph.LocalReparam
	tr, err := NewTrainer(c, data.Set{Train: blobs(96, 1), Val: blobs(30, 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	cl, err := NewClassifier(tr.Net, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, _, err := cl.Probs(tr.Net, nil, 1, 1); err == nil {
		t.Error("no inputs: want an error")
	}
	x := blobs(100, 4).X
	a, fa, err := cl.Probs(tr.Net, x, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := cl.Probs(tr.Net, x, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	var differ bool
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different probabilities: %v vs %v", a[i], b[i])
		}
		differ = differ || math.Abs(a[i]-fa[i]) > 1e-7
	}
	if !differ {
		t.Error("local reparameterisation: the mean of 2 draws equals the first: no noise drawn")
	}
	cl.PosteriorMean = true
	m1, _, err := cl.Probs(tr.Net, x, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	m2, _, err := cl.Probs(tr.Net, x, 1, 6)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m1 {
		if m1[i] != m2[i] {
			t.Fatalf("posterior mean (local): %v vs %v", m1[i], m2[i])
		}
	}
	cl.PosteriorMean = false
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cl.Ctx = ctx
	if _, _, err := cl.Probs(tr.Net, x, 1, 1); err == nil {
		t.Error("cancelled context: want an error")
	}
}

// Draw s of Probs is the weights from the PCG stream (seed,
// streamClassify+s): the mean of 2 draws is the average of the first draw
// and a pass made here from stream +1.
func TestClassifierProbsStreams(t *testing.T) {
	tr := trainedBlobs(t, 1)
	x := blobs(40, 6).X
	cl, err := NewClassifier(tr.Net, 40)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	mean, first, err := cl.Probs(tr.Net, x, 2, 11)
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := graph.NewForward(tr.Net.Config, 40)
	if err != nil {
		t.Fatal(err)
	}
	if err := fwd.CopyParams(tr.Net); err != nil {
		t.Fatal(err)
	}
	if err := graph.SetValues(fwd.X, x); err != nil {
		t.Fatal(err)
	}
	if err := fwd.FillEps(rand.New(rand.NewPCG(11, 0x636c617373000000+1))); err != nil {
		t.Fatal(err)
	}
	var out G.Value
	G.Read(fwd.Output, &out)
	vm := G.NewTapeMachine(fwd.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	z, _ := graph.ValueFloats(out)
	logp := nodes.LogSoftmax(z, 3, make([]float64, len(z)))
	for i := range mean {
		if want := (first[i] + math.Exp(logp[i])) / 2; !(math.Abs(mean[i]-want) <= 1e-6) {
			t.Fatalf("mean[%d] = %v, want (first + stream+1's)/2 = %v", i, mean[i], want)
		}
	}
}

// A confident network averaged over many draws: every mean probability is
// at most 1 (a running sum of p/samples gave 1.0000000000000007 over 100
// draws of p = 1, and ScoreClasses refused the row: bbb prune --samples 100
// failed on a trained MNIST model).
func TestProbsOfConfidentNetworkAtMostOne(t *testing.T) {
	tr := trainedBlobs(t, 2)
	for _, l := range tr.Net.Layers { // sigma -> 0: every draw the same network
		for _, rho := range []*G.Node{l.WRho, l.BRho} {
			r := rho.Value().Data().([]float32)
			for i := range r {
				r[i] = -40
			}
		}
	}
	last := tr.Net.Layers[len(tr.Net.Layers)-1]
	w := last.WMu.Value().Data().([]float32)
	for i := range w {
		w[i] *= 1e4 // logits in the thousands: softmax rounds to exactly 1 and 0
	}
	val := blobs(200, 5)
	cl, err := NewClassifier(tr.Net, 200)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	mean, first, err := cl.Probs(tr.Net, val.X, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	ones := 0
	for i, p := range mean {
		if p > 1 || first[i] > 1 {
			t.Fatalf("probability %d: mean %v, first draw %v", i, p, first[i])
		}
		if p == 1 {
			ones++
		}
	}
	if ones == 0 {
		t.Fatal("no mean probability is 1: the network is not confident enough to test the rounding")
	}
	if _, err := metrics.ScoreClasses(mean, first, data.Labels(val, 3), 3); err != nil {
		t.Error(err)
	}
}
