package job

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
)

func TestThin(t *testing.T) {
	v := make([]float64, 50001)
	if n := len(thin(v)); n > 20000 || n < 10000 {
		t.Errorf("thin kept %d of 50001", n)
	}
	if thin(nil) != nil || len(thin(v[:100])) != 100 {
		t.Error("thin changed a small or nil series")
	}
}

// tiny is a regression job of a few milliseconds on the seed's curve.
func tiny() Regression {
	return Regression{
		Train: train.Config{Graph: graph.Config{Layers: 2, Hidden: 4}, Data: data.CurveConfig{N: 40},
			Epochs: 20, ReportEvery: 10, Samples: 4, Seed: 3},
		Outputs: Outputs{NoFigures: true},
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// The hooks see every stage in order, the profile brackets training and
// is written once, and progress lines go to the writer given.
func TestRegressionHooksAndProgress(t *testing.T) {
	j := tiny()
	j.NoTrainBand = true
	var stages []string
	j.Stage = func(ctx context.Context, name string) error { stages = append(stages, name); return ctx.Err() }
	var writes []bool
	j.Profile = func() (func(bool) error, error) {
		return func(write bool) error { writes = append(writes, write); return nil }, nil
	}
	var progress strings.Builder
	dir := t.TempDir()
	s, err := j.Run(context.Background(), dir, &progress)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"set-up", "training", "predictive sampling (validation inputs)", "summary"}
	if !slices.Equal(stages, want) {
		t.Errorf("stages %q, want %q", stages, want)
	}
	if !slices.Equal(writes, []bool{true, false}) { // (the deferred stop(false) follows: the first call decides)
		t.Errorf("profile stops %v, want [true false]", writes)
	}
	if got := strings.Count("\n"+progress.String(), "\nepoch "); got != 2 {
		t.Errorf("%d epoch lines, want 2:\n%s", got, progress.String())
	}
	if s.Epochs != 20 || s.Figures != nil || s.Layers != 2 || s.Hidden != 4 || s.Workers < 1 || s.TrainRMSETrue != 0 {
		t.Errorf("summary %+v", s)
	}
	if got, want := listDir(t, dir), []string{"graph.dot", "layers.csv", "losses.csv", "pred_val.csv", "summary.json"}; !slices.Equal(got, want) {
		t.Errorf("wrote %q, want %q", got, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pred_val.csv"))
	if err != nil || !strings.HasPrefix(string(b), "x,mean,std_epistemic,std_total,q0.05,q0.5,q0.95\n") {
		t.Errorf("pred_val.csv: %v %.80q", err, b)
	}
}

// A hook's error stops the job at that stage; a context cancelled during
// training says where training stood.
func TestRegressionStops(t *testing.T) {
	stop := errors.New("stop here")
	j := tiny()
	j.Stage = func(_ context.Context, name string) error {
		if strings.HasPrefix(name, "predictive") {
			return stop
		}
		return nil
	}
	if _, err := j.Run(context.Background(), t.TempDir(), nil); !errors.Is(err, stop) {
		t.Errorf("error %v, want the hook's", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j = tiny()
	j.Train.Epochs = 1_000_000
	j.Stage = func(ctx context.Context, name string) error {
		if name == "training" {
			cancel()
			return nil // (the training loop sees the cancellation)
		}
		return ctx.Err()
	}
	var where string
	j.Stopped = func(s string) { where = s }
	dir := t.TempDir()
	if _, err := j.Run(ctx, dir, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if !strings.HasPrefix(where, "training (after epoch ") || !strings.HasSuffix(where, " of 1000000)") {
		t.Errorf("stopped %q", where)
	}
	if got := listDir(t, dir); !slices.Contains(got, "losses.csv") || slices.Contains(got, "summary.json") {
		t.Errorf("a stopped run wrote %q: want its losses, no summary", got)
	}
}

// Save writes a model that Resume continues; a model the network cannot
// start from, and a Save that cannot be written, are InputErrors naming
// the field.
func TestRegressionSaveResume(t *testing.T) {
	dir := t.TempDir()
	j := tiny()
	j.Save = filepath.Join(dir, "m.npz")
	if _, err := j.Run(context.Background(), t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	c, err := modelfile.Read(j.Save)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model.Epoch != 20 || !slices.Equal(c.Model.XNames, []string{"x"}) || c.Model.YName != "y" {
		t.Errorf("saved meta %+v", c.Model)
	}
	// Info.Model left unset (a library call): the file records the
	// network trained, and builds it.
	if g, err := c.Config(0); err != nil || g.Layers != 2 || g.Hidden != 4 || g.Inputs != 1 {
		t.Errorf("the saved model's network: %+v, %v; want 2 layers of 4, 1 input", g, err)
	}
	r := tiny()
	r.Train.Epochs, r.Resume = 30, c
	s, err := r.Run(context.Background(), t.TempDir(), nil)
	if err != nil || s.Epochs != 30 {
		t.Fatalf("resume: %v, %d epochs", err, s.Epochs)
	}

	r.Train.Graph.Hidden = 5 // not the saved model's shape
	var ie *InputError
	if _, err := r.Run(context.Background(), t.TempDir(), nil); !errors.As(err, &ie) || ie.Input != "Resume" {
		t.Errorf("resume into another shape: %v, want an InputError of Resume", err)
	}
	j.Save = filepath.Join(dir, "missing", "m.npz")
	if _, err := j.Run(context.Background(), t.TempDir(), nil); !errors.As(err, &ie) || ie.Input != "Save" || !strings.HasPrefix(err.Error(), "save: ") {
		t.Errorf("save into a missing folder: %v, want an InputError of Save", err)
	}
}

// A resumed run's losses.csv and layers.csv are those of the same run made
// in one go: the model file holds the reports before it (a file without
// layer reports, as older files, resumes with the resumed run's only).
func TestRegressionResumeKeepsReports(t *testing.T) {
	read := func(dir, name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	whole := tiny()
	whole.Train.Epochs = 30
	wholeDir := t.TempDir()
	if _, err := whole.Run(context.Background(), wholeDir, nil); err != nil {
		t.Fatal(err)
	}
	first := tiny()
	first.Save = filepath.Join(t.TempDir(), "m.npz")
	if _, err := first.Run(context.Background(), t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	c, err := modelfile.Read(first.Save)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Layers) != 2*2 || c.Layers[3] != (modelfile.LayerReport{Epoch: 20, Layer: 1, KL: c.Layers[3].KL, WSigma: c.Layers[3].WSigma, BSigma: c.Layers[3].BSigma}) {
		t.Fatalf("the model file's layer reports %+v: want epochs 10 and 20 of 2 layers", c.Layers)
	}
	resumed := tiny()
	resumed.Train.Epochs, resumed.Resume = 30, c
	dir := t.TempDir()
	if _, err := resumed.Run(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"losses.csv", "layers.csv"} {
		if got, want := read(dir, name), read(wholeDir, name); got != want {
			t.Errorf("resumed %s:\n%s\nwant (the run in one go):\n%s", name, got, want)
		}
	}
	c.Layers = nil // an older file: said in the progress; the file it saves reads
	var progress strings.Builder
	resumed.Save = filepath.Join(t.TempDir(), "m2.npz")
	if _, err := resumed.Run(context.Background(), dir, &progress); err != nil {
		t.Fatal(err)
	}
	if c2, err := modelfile.Read(resumed.Save); err != nil || len(c2.Reports) != 3 || len(c2.Layers) != 2 || c2.Layers[0].Epoch != 30 {
		t.Errorf("the model saved by a resume of an older file: %v, %d reports, layer reports %+v", err, len(c2.Reports), c2.Layers)
	}
	resumed.Save = ""
	if !strings.Contains(progress.String(), "the model file lacks the layer reports of its first 2 reports (an older bbb): so does layers.csv\n") {
		t.Errorf("progress %q: want the missing layer reports said", progress.String())
	}
	if got := read(dir, "layers.csv"); strings.Count(got, "\n") != 1+2 || !strings.Contains(got, "\n30,0,") {
		t.Errorf("resumed from a file without layer reports: layers.csv\n%s\nwant epoch 30's two rows", got)
	}
	c.Layers = make([]modelfile.LayerReport, 3*len(c.Reports)) // (a 3-layer network's)
	var ie *InputError
	if _, err := resumed.Run(context.Background(), t.TempDir(), nil); !errors.As(err, &ie) || ie.Input != "Resume" ||
		err.Error() != "resume: layer_reports: 6 rows, not the 2-layer network's at 2 reports or fewer" {
		t.Errorf("the layer reports of a 3-layer network in a 2-layer model: %v, want an InputError of Resume", err)
	}
}

// Data with a scaler and several named inputs: the network sees
// standardised values, the files the data's units and names.
func TestRegressionScaledData(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	split := func(n int) data.Split {
		s := data.Split{Inputs: 2}
		for range n {
			a, b := 100+10*r.NormFloat64(), r.Float64()
			s.X = append(s.X, a, b)
			s.Y = append(s.Y, 3*a-50*b+r.NormFloat64())
		}
		return s
	}
	set := data.Set{Train: split(60), Val: split(20)}
	sc := data.FitScaler(set.Train)
	j := tiny()
	j.Data, j.Scaler, j.XNames, j.YName = set, &sc, []string{"a", "b"}, "z"
	j.Train.Graph.Inputs = 2
	j.DataFile, j.ValSplit = "/data/z.csv", 0.25
	j.NoFigures, j.Format = false, "svg"
	dir := t.TempDir()
	s, err := j.Run(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Data != "/data/z.csv" || s.ValSplit != 0.25 || !slices.Equal(s.XCols, []string{"a", "b"}) || s.YCol != "z" || s.TrainPoints != 60 {
		t.Errorf("summary %+v", s)
	}
	if want := []string{"observed_val.svg", "losses.svg", "observed_train.svg"}; !slices.Equal(s.Figures, want) {
		t.Errorf("figures %q, want %q", s.Figures, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pred_val.csv"))
	if err != nil || !strings.HasPrefix(string(b), "a,b,mean,") {
		t.Errorf("pred_val.csv: %v %.40q", err, b)
	}
	j.XNames = []string{"a"}
	if _, err := j.Run(context.Background(), t.TempDir(), nil); err == nil {
		t.Error("one name for two inputs: no error")
	}
}

// blobs draws n points of 3 Gaussian blobs in the plane, one-hot labels.
func blobs(n int, seed uint64) data.Split {
	r := rand.New(rand.NewPCG(seed, 1))
	centres := [3][2]float64{{-2, 0}, {2, 0}, {0, 3}}
	s := data.Split{Inputs: 2}
	for i := range n {
		c := i % 3
		s.X = append(s.X, centres[c][0]+0.6*r.NormFloat64(), centres[c][1]+0.6*r.NormFloat64())
		y := make([]float64, 3)
		y[c] = 1
		s.Y = append(s.Y, y...)
	}
	return s
}

func blobJob() Classification {
	return Classification{
		Train: train.Config{Graph: graph.Config{Task: graph.Classification, Classes: 3, Inputs: 2, Layers: 2, Hidden: 8,
			Init: graph.Init{WMuStd: 0.3, WRhoMean: -5, Set: true}},
			Epochs: 4, ReportEvery: 2, Samples: 1, LearningRate: 0.01, Seed: 2},
		Data:    data.ClassData{Set: data.Set{Train: blobs(60, 1), Val: blobs(30, 2)}, Test: blobs(30, 3), Classes: 3},
		Outputs: Outputs{Format: "svg"},
	}
}

// The classifier job writes its files and reports each epoch; a saved
// model starts another run, pruned; an unprunable run is an InputError
// of Prune.
func TestClassification(t *testing.T) {
	dir, models := t.TempDir(), t.TempDir()
	j := blobJob()
	j.Save = filepath.Join(models, "c.npz")
	var progress strings.Builder
	s, err := j.Run(context.Background(), dir, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := listDir(t, dir), []string{"graph.dot", "learning_curve.svg", "losses.csv", "summary.json", "weights.svg"}; !slices.Equal(got, want) {
		t.Errorf("wrote %q, want %q", got, want)
	}
	if s.Epochs != 4 || s.Samples != 1 || s.ValSamples != 1 || s.TestImages != 30 || s.Init != "w_mu ~ N(0, 0.3²), rho = -5" {
		t.Errorf("summary %+v", s)
	}
	if !strings.HasPrefix(progress.String(), "mnist: 60 training, 30 validation, 30 test images; 2-8-3 units") ||
		!strings.Contains(progress.String(), "\nepoch 4/4  train ELBO ") || !strings.Contains(progress.String(), "\ntest: error ") {
		t.Errorf("progress:\n%s", progress.String())
	}

	from, err := modelfile.Read(j.Save)
	if err != nil {
		t.Fatal(err)
	}
	p := blobJob()
	p.From, p.FromFile, p.Prune, p.NoFigures = from, "c.npz", 0.5, true
	progress.Reset()
	s, err = p.Run(context.Background(), t.TempDir(), &progress)
	if err != nil {
		t.Fatal(err)
	}
	if s.From != "c.npz" || s.Prune != 0.5 || s.PrunedWeights != 20 || s.Figures != nil { // half of 2·8 + 8·3 weights
		t.Errorf("pruned summary %+v", s)
	}
	if !strings.Contains(progress.String(), "\nfrom c.npz: 20 weights of SNR <= ") {
		t.Errorf("progress:\n%s", progress.String())
	}
	p.Train.Graph.Estimator, p.Train.Graph.KL = graph.LocalReparam, graph.KLClosed
	var ie *InputError
	if _, err := p.Run(context.Background(), t.TempDir(), nil); !errors.As(err, &ie) || ie.Input != "Prune" {
		t.Errorf("prune with local reparameterisation: %v, want an InputError of Prune", err)
	}
}

func TestMeanWeightsError(t *testing.T) {
	j := blobJob()
	j.Train.Samples = 2
	tr, err := train.NewTrainer(j.Train, j.Data.Set)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	cl, err := train.NewClassifier(tr.Net, j.Data.Test.Len())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	labels := data.Labels(j.Data.Test, 3)
	e1, err := MeanWeightsError(cl, tr.Net, j.Data.Test.X, labels, 3)
	if err != nil || !(e1 >= 0 && e1 <= 1) || cl.PosteriorMean {
		t.Fatalf("error %v, %v; PosteriorMean left %v", e1, err, cl.PosteriorMean)
	}
	if e2, _ := MeanWeightsError(cl, tr.Net, j.Data.Test.X, labels, 3); e2 != e1 {
		t.Errorf("the posterior means' error changed: %v then %v", e1, e2)
	}
}

func TestWritePredictions(t *testing.T) {
	b := train.Bands{Mean: []float64{1, 2}, Std: []float64{3, 0}, Levels: []float64{0.5}, Q: [][]float64{{1.5, 2.5}}}
	var w strings.Builder
	if err := WritePredictions(&w, []string{"u", "v"}, []float64{0, 1, 2, 3}, b, 4); err != nil {
		t.Fatal(err)
	}
	want := "u,v,mean,std_epistemic,std_total,q0.5\n0,1,1,3,5,1.5\n2,3,2,0,4,2.5\n"
	if w.String() != want {
		t.Errorf("got %q, want %q", w.String(), want)
	}
	// A column name with a comma or a quote is quoted, as the CSV reader
	// that read it expects: the header has as many fields as each row.
	w.Reset()
	if err := WritePredictions(&w, []string{"we,ird", `a "b"`}, []float64{0, 1, 2, 3}, b, 4); err != nil {
		t.Fatal(err)
	}
	if want := "\"we,ird\",\"a \"\"b\"\"\",mean,std_epistemic,std_total,q0.5\n"; !strings.HasPrefix(w.String(), want) {
		t.Errorf("got %q, want the header %q", w.String(), want)
	}
}

// CheckInputNames refuses the names of the predictions' own columns at the
// levels asked for, and takes any other (q1 beside levels 0.05, 0.95).
func TestCheckInputNames(t *testing.T) {
	levels := []float64{0.05, 0.95}
	for names, want := range map[string]string{
		"x,q1":               "",
		"x,q0.5":             "",
		"std_total":          `input column "std_total": the predictions name a column of their own so (mean, std_epistemic, std_total, q0.05, q0.95)`,
		"a,q0.95":            `input column "q0.95": the predictions name a column of their own so (mean, std_epistemic, std_total, q0.05, q0.95)`,
		"mean,std_epistemic": `input column "mean": the predictions name a column of their own so (mean, std_epistemic, std_total, q0.05, q0.95)`,
	} {
		err := CheckInputNames(strings.Split(names, ","), levels)
		if (err == nil) != (want == "") || err != nil && err.Error() != want {
			t.Errorf("%s: %v, want %q", names, err, want)
		}
	}
}
