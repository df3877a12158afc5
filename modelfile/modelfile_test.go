package modelfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/npz"
	"github.com/bbb-go/bbb/nodes"
)

// testModel is a model whose every field differs from its default.
func testModel() Model {
	return Model{
		Network: Network{Layers: 2, Hidden: 3, Inputs: 2, Prior: Prior{Kind: "mixture", Sigma: 2, Pi: 0.25, Sigma1: 1.5, Sigma2: 0.01},
			Likelihood: "learned", LikelihoodSigma: 0.5, MinSigma: 0.01, NBatch: 4, Dtype: "float64", StockOps: true, KL: "mc"},
		Optimiser: Optimiser{LearningRate: 0.002, Milestones: []int{4, 8}, Gamma: 0.5, BatchSize: 16, KLWeight: "blundell", MCSamples: 2},
		Data:      Data{Points: 300, File: "/d/train.csv", Val: "/d/val.csv", ValSplit: 0.3, XCols: []string{"a", "b"}, YCol: "y"},
		Seed:      9, Epoch: 12, XNames: []string{"a", "b"}, YName: "y", Preset: "quick",
		Scaler: &data.Scaler{XMean: []float64{1, 2}, XStd: []float64{3, 4}, YMean: 5, YStd: 6},
	}
}

// testFile is a file of m's network with parameters of value v.
func testFile(t *testing.T, m Model, v float64) *File {
	t.Helper()
	c, err := m.Network.Config()
	if err != nil {
		t.Fatal(err)
	}
	f := &File{Model: m, Arrays: map[string]Array{}, Adam: true,
		Reports: []Report{{Epoch: 6, TrainLoss: 1.5, ValLoss: 2.5}, {Epoch: 12, TrainLoss: 1.25, ValLoss: 2}},
		Layers: []LayerReport{{Epoch: 6, Layer: 0, KL: 3.5, WSigma: 0.25, BSigma: 0.125}, {Epoch: 6, Layer: 1, KL: -0.5, WSigma: 0.5, BSigma: 0.75},
			{Epoch: 12, Layer: 0, KL: 3, WSigma: 0.25, BSigma: 0.125}, {Epoch: 12, Layer: 1, KL: 2, WSigma: 0.5, BSigma: 0.75}}}
	for _, p := range Params(c) {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = v
		}
		f.Arrays[p.Name], f.Params = Array{Shape: p.Shape, Data: vals}, append(f.Params, p.Name)
	}
	f.Arrays["adam_t"] = Array{Data: []int64{12}}
	return f
}

func encode(t *testing.T, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Version 3 round trip: the Model, the parameters, the reports and every
// array come back as written; the description checks.
func TestRoundTrip(t *testing.T) {
	f := testFile(t, testModel(), 0.5)
	g, err := Parse(encode(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if g.Version != Version || g.Flags != nil || !g.Adam || g.Resident {
		t.Errorf("version %d, flags %v, adam %v, resident %v", g.Version, g.Flags, g.Adam, g.Resident)
	}
	if !reflect.DeepEqual(g.Model, f.Model) {
		t.Errorf("model\n%+v, wrote\n%+v", g.Model, f.Model)
	}
	if !reflect.DeepEqual(g.Params, f.Params) || !reflect.DeepEqual(g.Reports, f.Reports) || !reflect.DeepEqual(g.Arrays, f.Arrays) {
		t.Errorf("params %v, reports %v, %d arrays; wrote %v, %v, %d", g.Params, g.Reports, len(g.Arrays), f.Params, f.Reports, len(f.Arrays))
	}
	if !reflect.DeepEqual(g.Layers, f.Layers) {
		t.Errorf("layer reports %+v, wrote %+v", g.Layers, f.Layers)
	}
	c, err := g.Config(0)
	if err != nil {
		t.Fatal(err)
	}
	want := graph.Config{Layers: 2, Hidden: 3, Inputs: 2, NBatch: 4, LikelihoodSigma: 0.5,
		Prior: nodes.ScaleMixture{Pi: 0.25, Sigma1: 1.5, Sigma2: 0.01}, Likelihood: graph.LikLearned{}, MinSigma: 0.01,
		Dtype: tensor.Float64, StockOps: true}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config %+v, want %+v", c, want)
	}
	// np.load's view: meta is JSON with the model under "model".
	raw, err := npz.Read(bytes.NewReader(encode(t, f)), int64(len(encode(t, f))))
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	if err := json.Unmarshal(raw["meta"].Data.([]uint8), &meta); err != nil || meta["format"] != Format || meta["version"] != 3.0 || meta["model"] == nil {
		t.Errorf("meta %v, %v", meta, err)
	}
}

// The layer reports: none written, none read (older files); rows not
// those a run writes (the reports' epochs, each layer in turn), a KL not
// finite, a sigma not positive and finite, or an array not of rows of
// five float64 values, are refused.
func TestLayerReports(t *testing.T) {
	f := testFile(t, testModel(), 0.5)
	f.Layers = nil
	raw, err := npz.Read(bytes.NewReader(encode(t, f)), int64(len(encode(t, f))))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["layer_reports"]; ok {
		t.Error("a file without layer reports has a layer_reports array")
	}
	if g, err := Parse(encode(t, f)); err != nil || g.Layers != nil {
		t.Errorf("no layer reports: %v, %+v", err, g)
	}
	good := []float64{6, 0, 1, 0.5, 0.5, 6, 1, -1, 0.5, 0.5, 12, 0, 1, 0.5, 0.5, 12, 1, 1, 0.5, 0.5}
	with := func(i int, v float64) []float64 { b := slices.Clone(good); b[i] = v; return b }
	const order = "(the reports' epochs, each layer in turn)"
	for _, c := range []struct {
		a    npz.Array
		want string
	}{
		{npz.Array{Shape: []int{4, 5}, Data: good}, ""},
		{npz.Array{Shape: []int{0, 5}, Data: []float64{}}, ""},
		{npz.Array{Shape: []int{2, 5}, Data: good[10:]}, ""}, // (the last report's: a file of an older build resumed)
		{npz.Array{Shape: []int{4, 5}, Data: with(10, 13)}, "layer_reports: row 2: epoch 13, layer 0, want epoch 12, layer 0 " + order},
		{npz.Array{Shape: []int{4, 5}, Data: with(5, 6.5)}, "layer_reports: row 1: epoch 6.5, layer 1, want epoch 6, layer 1 " + order},
		{npz.Array{Shape: []int{4, 5}, Data: with(6, 0)}, "layer_reports: 4 rows for 2 reports: want the layers 0, 1, ... of each report (or of the last ones) in turn"},
		{npz.Array{Shape: []int{4, 5}, Data: with(16, 0)}, "layer_reports: row 3: epoch 12, layer 0, want epoch 12, layer 1 " + order},
		{npz.Array{Shape: []int{4, 5}, Data: with(0, math.NaN())}, "layer_reports: row 0: epoch NaN, layer 0, want epoch 6, layer 0 " + order},
		{npz.Array{Shape: []int{2, 5}, Data: good[:10]}, "layer_reports: row 0: epoch 6, layer 0, want epoch 12, layer 0 " + order},
		{npz.Array{Shape: []int{6, 5}, Data: append(slices.Clone(good), good[10:20]...)}, "layer_reports: 6 rows for 2 reports: want the layers 0, 1, ... of each report (or of the last ones) in turn"},
		{npz.Array{Shape: []int{4, 5}, Data: with(1, 1)}, "layer_reports: 4 rows for 2 reports: want the layers 0, 1, ... of each report (or of the last ones) in turn"},
		{npz.Array{Shape: []int{4, 5}, Data: with(7, math.NaN())}, "layer_reports: row 1: kl NaN, sigmas 0.5 and 0.5: want a finite KL and positive finite sigmas"},
		{npz.Array{Shape: []int{4, 5}, Data: with(2, math.Inf(1))}, "layer_reports: row 0: kl +Inf, sigmas 0.5 and 0.5: want a finite KL and positive finite sigmas"},
		{npz.Array{Shape: []int{4, 5}, Data: with(13, 0)}, "layer_reports: row 2: kl 1, sigmas 0 and 0.5: want a finite KL and positive finite sigmas"},
		{npz.Array{Shape: []int{4, 5}, Data: with(19, math.Inf(1))}, "layer_reports: row 3: kl 1, sigmas 0.5 and +Inf: want a finite KL and positive finite sigmas"},
		{npz.Array{Shape: []int{4, 5}, Data: with(18, math.Inf(1))}, "layer_reports: row 3: kl 1, sigmas +Inf and 0.5: want a finite KL and positive finite sigmas"},
		{npz.Array{Shape: []int{4, 5}, Data: with(4, -0.5)}, "layer_reports: row 0: kl 1, sigmas 0.5 and -0.5: want a finite KL and positive finite sigmas"},
		{npz.Array{Shape: []int{20}, Data: good}, "layer_reports: want rows of 5 float64 values, have float64 of shape [20]"},
		{npz.Array{Shape: []int{5, 4}, Data: good}, "layer_reports: want rows of 5 float64 values, have float64 of shape [5 4]"},
		{npz.Array{Shape: []int{1, 5}, Data: []float32{6, 0, 1, 1, 1}}, "layer_reports: want rows of 5 float64 values, have float32 of shape [1 5]"},
	} {
		raw["layer_reports"] = c.a
		var buf bytes.Buffer
		if err := npz.Write(&buf, raw); err != nil {
			t.Fatal(err)
		}
		g, err := Parse(buf.Bytes())
		if c.want == "" && (err != nil || len(g.Layers) != len(c.a.Data.([]float64))/5 || len(g.Layers) > 0 && g.Layers[len(g.Layers)-1] != (LayerReport{Epoch: 12, Layer: 1, KL: 1, WSigma: 0.5, BSigma: 0.5})) {
			t.Errorf("%v: %v, %+v", c.a, err, g)
		}
		if c.want != "" && (err == nil || err.Error() != c.want) {
			t.Errorf("%v: %v, want %q", c.a, err, c.want)
		}
	}
	// The reports array is checked so too.
	raw["layer_reports"] = npz.Array{Shape: []int{4, 5}, Data: good}
	for _, c := range []struct {
		a    npz.Array
		want string
	}{
		{npz.Array{Shape: []int{2, 3}, Data: []int64{6, 1, 2, 12, 1, 2}}, "reports: want rows of 3 float64 values, have int64 of shape [2 3]"},
		{npz.Array{Shape: []int{6}, Data: []float64{6, 1, 2, 12, 1, 2}}, "reports: want rows of 3 float64 values, have float64 of shape [6]"},
	} {
		raw["reports"] = c.a
		var buf bytes.Buffer
		if err := npz.Write(&buf, raw); err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(buf.Bytes()); err == nil || err.Error() != c.want {
			t.Errorf("%v: %v, want %q", c.a, err, c.want)
		}
	}
}

// What a file records of its run is checked as it is read: report epochs
// that increase up to the file's, the data files' SHA-256 (64 lowercase
// hex digits, with the file), report_every not negative; and the layer
// reports are the network's layers' (CheckParams).
func TestRecordedChecks(t *testing.T) {
	const sum = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	for _, c := range []struct {
		edit func(f *File)
		want string
	}{
		{func(f *File) { f.Model.Data.FileSHA256, f.Model.Data.ValSHA256, f.Model.ReportEvery = sum, sum, 6 }, ""},
		{func(f *File) { f.Reports[0].Epoch, f.Layers[0].Epoch, f.Layers[1].Epoch = 13, 13, 13 }, "reports: row 0: epoch 13: want whole epochs that increase, after 0 and at most the file's 12"},
		{func(f *File) { f.Reports[1].Epoch, f.Layers[2].Epoch, f.Layers[3].Epoch = 6, 6, 6 }, "reports: row 1: epoch 6: want whole epochs that increase, after 6 and at most the file's 12"},
		{func(f *File) { f.Reports[0].Epoch, f.Layers[0].Epoch, f.Layers[1].Epoch = 0, 0, 0 }, "reports: row 0: epoch 0: want whole epochs that increase, after 0 and at most the file's 12"},
		{func(f *File) { f.Model.Data.FileSHA256 = "zz" }, `meta: data.file_sha256 "zz": want 64 lowercase hex digits, with the file's name`},
		{func(f *File) { f.Model.Data.FileSHA256 = strings.ToUpper(sum) }, `meta: data.file_sha256 "` + strings.ToUpper(sum) + `": want 64 lowercase hex digits, with the file's name`},
		{func(f *File) { f.Model.Data.ValSHA256, f.Model.Data.Val = sum, "" }, `meta: data.val_sha256 "` + sum + `": want 64 lowercase hex digits, with the file's name`},
		{func(f *File) { f.Model.ReportEvery = -5 }, "meta: report_every -5: want a number of epochs (0: not recorded)"},
		// A training state no run writes (hand-edited files): refused on
		// reading, not after a resumed run has trained.
		{func(f *File) { f.Reports[1].ValLoss = math.Inf(1) }, "reports: row 1: losses 1.25 and +Inf: want finite losses"},
		{func(f *File) { f.Reports[0].TrainLoss = math.NaN() }, "reports: row 0: losses NaN and 2.5: want finite losses"},
		{func(f *File) { f.Arrays["train_losses"] = Array{Shape: []int{3}, Data: []float64{1, math.NaN(), 2}} }, "train_losses: value 1 is NaN: want finite losses"},
		{func(f *File) {
			f.Arrays["adam/v/w_mu0"] = Array{Shape: []int{3}, Data: []float32{0, float32(math.NaN()), -1}}
		}, "adam/v/w_mu0: value 2 is -1: want values >= 0 (Adam's second moments)"},
		{func(f *File) { f.Arrays["adam/v/w_mu0"] = Array{Shape: []int{2}, Data: []float64{0, math.Inf(-1)}} }, "adam/v/w_mu0: value 1 is -Inf: want values >= 0 (Adam's second moments)"},
		{func(f *File) { // (a held weight's moments: NaN)
			f.Arrays["adam/v/w_mu0"], f.Arrays["adam/m/w_mu0"] = Array{Shape: []int{2}, Data: []float64{0, math.NaN()}}, Array{Shape: []int{1}, Data: []float64{math.NaN()}}
		}, ""},
	} {
		f := testFile(t, testModel(), 0.5)
		c.edit(f)
		_, err := Parse(encode(t, f))
		if (err == nil) != (c.want == "") || err != nil && err.Error() != c.want {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
	f := testFile(t, testModel(), 0.5)
	f.Layers = []LayerReport{{Epoch: 6, WSigma: 1, BSigma: 1}, {Epoch: 12, WSigma: 1, BSigma: 1}} // (one layer's)
	g, err := Parse(encode(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Config(0); err == nil || err.Error() != "layer_reports: 2 rows, not the 2-layer network's at 2 reports or fewer" {
		t.Errorf("one layer's reports in a 2-layer model: %v", err)
	}
}

// A version 2 file, as its writer made it (bbb train's flags as strings,
// the rest at the top of meta), reads into the Model a version 3 file of
// the same run holds, and keeps its flags verbatim.
func TestVersion2ReadsIntoSameModel(t *testing.T) {
	m := testModel()
	f := testFile(t, m, 0.5)
	raw, err := npz.Read(bytes.NewReader(encode(t, f)), int64(len(encode(t, f))))
	if err != nil {
		t.Fatal(err)
	}
	delete(raw, "layer_reports") // (newer than version 2)
	flags := map[string]string{
		"layers": "2", "hidden": "3", "points": "300", "lr": "0.002", "lr-milestones": "4, 8", "lr-gamma": "0.5", "n-batch": "4",
		"prior-sigma": "2", "likelihood-sigma": "0.5", "dtype": "float64", "seed": "9", "stock-ops": "true", "prior": "mixture",
		"prior-pi": "0.25", "prior-sigma1": "1.5", "prior-sigma2": "0.01", "kl": "mc", "likelihood": "learned", "min-sigma": "0.01",
		"batch-size": "16", "kl-weight": "blundell", "local-reparam": "false", "mc-samples": "2", "data": "/d/train.csv",
		"val": "/d/val.csv", "val-split": "0.3", "x-cols": "a, b", "y-col": "y", "preset": "quick",
	}
	mb, _ := json.Marshal(map[string]any{"format": Format, "version": 2, "flags": flags, "seed": 9, "epoch": 12, "inputs": 2,
		"x_names": []string{"a", "b"}, "y_name": "y", "scaler": m.Scaler, "params": f.Params, "adam": true, "resident": false})
	raw["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
	var buf bytes.Buffer
	if err := npz.Write(&buf, raw); err != nil {
		t.Fatal(err)
	}
	g, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if g.Version != 2 || !reflect.DeepEqual(g.Flags, flags) {
		t.Errorf("version %d, flags %v", g.Version, g.Flags)
	}
	if !reflect.DeepEqual(g.Model, m) {
		t.Errorf("version 2 model\n%+v, version 3\n%+v", g.Model, m)
	}
	if !reflect.DeepEqual(g.Reports, f.Reports) || !reflect.DeepEqual(g.Arrays, f.Arrays) {
		t.Errorf("reports %v, %d arrays", g.Reports, len(g.Arrays))
	}
	if _, err := g.Config(0); err != nil {
		t.Error(err)
	}
	// A flag the model cannot take: the file reads (its flags verbatim),
	// its description does not.
	flags["layers"] = "x"
	mb, _ = json.Marshal(map[string]any{"format": Format, "version": 2, "flags": flags, "inputs": 2, "params": f.Params, "epoch": 12})
	raw["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
	buf.Reset()
	npz.Write(&buf, raw)
	if g, err = Parse(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Config(0); err == nil || err.Error() != `meta: flag --layers "x": parse error` {
		t.Errorf("bad flag: %v", err)
	}
}

// Flags and FromFlags are inverses (over the defaults), with the flag
// package's spelling; every name is one of bbb train's.
func TestFlags(t *testing.T) {
	m := testModel()
	m.XNames, m.YName, m.Scaler, m.Epoch, m.Network.Inputs = nil, "", nil, 0, 0 // (not flags)
	fl := m.Flags()
	if fl["lr-milestones"] != "4,8" || fl["x-cols"] != "a,b" || fl["stock-ops"] != "true" || fl["seed"] != "9" || len(fl) != 29 {
		t.Errorf("flags %v", fl)
	}
	back, err := FromFlags(fl)
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Errorf("FromFlags(Flags) = %+v, %v; want %+v", back, err, m)
	}
	def, err := FromFlags(nil)
	want := (Model{Seed: 1}).WithDefaults()
	want.Network.Inputs = 0 // (not a flag)
	if err != nil || !reflect.DeepEqual(def, want) {
		t.Errorf("FromFlags(nil) = %+v, %v; want %+v", def, err, want)
	}
	if _, ok := (Model{}).Flags()["preset"]; ok {
		t.Error("an empty preset is a flag")
	}
	if d := (Model{}).Flags(); d["layers"] != "5" || d["prior-sigma2"] != "0.0024787521766663585" || d["lr-milestones"] != "" {
		t.Errorf("default flags %v", d)
	}
	for _, c := range []struct{ name, v, want string }{
		{"hidden", "9999999999999999999999", `flag --hidden "9999999999999999999999": value out of range`},
		{"lr", "fast", `flag --lr "fast": parse error`},
		{"lr-milestones", "4,x", `flag --lr-milestones "4,x": "x" is not an epoch`},
		{"stock-ops", "maybe", `flag --stock-ops "maybe": parse error`},
	} {
		if _, err := FromFlags(map[string]string{c.name: c.v, "layers": "3"}); err == nil || err.Error() != c.want {
			t.Errorf("%s %q: %v, want %q", c.name, c.v, err, c.want)
		}
	}
}

// NetworkOf is Network.Config's inverse.
func TestNetworkOf(t *testing.T) {
	for _, c := range []graph.Config{
		graph.Config{}.WithDefaults(),
		{Layers: 3, Hidden: 7, Inputs: 4, NBatch: 2, Prior: nodes.Normal{Sigma: 0.5}, LikelihoodSigma: 0.2, KL: graph.KLClosed,
			Estimator: graph.LocalReparam, Likelihood: graph.LikHetero{}, MinSigma: 0.1, Dtype: tensor.Float64},
		{Layers: 2, Hidden: 5, Inputs: 6, Task: graph.Classification, Classes: 3, NBatch: 1,
			LikelihoodSigma: 0.1, Prior: nodes.ScaleMixture{Pi: 0.5, Sigma1: 1, Sigma2: 0.1}, Dtype: tensor.Float32, StockOps: true},
	} {
		if c.MinSigma == 0 {
			c.MinSigma = graph.DefaultMinSigma // (0 means it)
		}
		c = c.WithDefaults()
		got, err := NetworkOf(c).Config()
		if err != nil || !reflect.DeepEqual(got.WithDefaults(), c) {
			t.Errorf("%+v:\ngot %+v, %v", c, got, err)
		}
	}
	for _, n := range []Network{{Prior: Prior{Kind: "laplace"}}, {KL: "exact"}, {Likelihood: "t"}, {Dtype: "int8"}, {Task: "ranking"}} {
		if _, err := n.Config(); err == nil {
			t.Errorf("%+v: no error", n)
		}
	}
}

// CheckSize and CheckParams: each bound and difference as its kind; File.
// Config refuses what the arrays do not hold.
func TestChecks(t *testing.T) {
	for _, c := range []struct {
		cfg   graph.Config
		avail float64
		kind  SizeKind
	}{
		{graph.Config{Layers: MaxLayers + 1}, 0, BadLayers},
		{graph.Config{Hidden: -1}, 0, BadHidden},
		{graph.Config{Inputs: MaxInputs + 1}, 0, BadInputs},
		{graph.Config{Task: graph.Classification, Classes: MaxClasses + 1}, 0, BadOutputs},
		{graph.Config{Hidden: 1000}, 1 << 20, BadMemory},
		{graph.Config{Layers: 1, Hidden: MaxHidden + 1}, 0, BadWidth},
		{graph.Config{Layers: 3, Hidden: 20000}, 0, BadWeights},
	} {
		var e *SizeError
		if err := CheckSize(c.cfg, c.avail); !errors.As(err, &e) || e.Kind != c.kind || e.Error() == "" {
			t.Errorf("%+v: %v, want kind %d", c.cfg, err, c.kind)
		}
	}
	if err := CheckSize(graph.Config{Layers: MaxLayers}, 64<<30); err != nil {
		t.Error(err)
	}
	m := testModel()
	for _, c := range []struct {
		edit func(f *File)
		kind ParamKind
		want string
	}{
		{func(f *File) { f.Model.Network.Layers = 3 }, ParamCount, "meta: 3 layers of 3 make 13 parameter arrays, the file lists 9"},
		{func(f *File) { f.Params[1] = "w_rho9" }, ParamName, `meta: parameter 1 is "w_rho9", want w_rho0`},
		{func(f *File) { delete(f.Arrays, "b_mu1") }, ParamMissing, "parameter b_mu1 missing"},
		{func(f *File) { f.Model.Network.Hidden = 4 }, ParamShape, "parameter w_mu0: shape [2 3] in the file, the model needs [2 4] (2 layers of 4, 2 inputs)"},
	} {
		f := testFile(t, m, 1)
		c.edit(f)
		var e *ParamError
		_, err := f.Config(0)
		if !errors.As(err, &e) || e.Kind != c.kind || err.Error() != c.want {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
	f := testFile(t, m, 1)
	f.Model.Network.Layers = MaxLayers + 1
	if _, err := f.Config(0); err == nil || err.Error() != "meta: layers 65: want 1 to 64" {
		t.Errorf("too deep: %v", err)
	}
	f.Model.Network.Layers, f.Model.Network.KL = 2, "closed" // the mixture has no closed KL
	if _, err := f.Config(0); err == nil || !strings.HasPrefix(err.Error(), "meta: ") {
		t.Errorf("invalid config: %v", err)
	}
	f.Model.Network.Dtype = "int8"
	if _, err := f.Config(0); err == nil || err.Error() != `meta: dtype "int8": want float32 or float64` {
		t.Errorf("bad dtype: %v", err)
	}
}

// A file's task fields: a classification of 2 classes and the
// regression's zero values both pass.
func TestCheckTask(t *testing.T) {
	for _, n := range []Network{{Task: "classification", Classes: 2}, {}} {
		if err := checkTask(n); err != nil {
			t.Errorf("%+v: %v", n, err)
		}
	}
}

// The file's parameters go into a network of its description.
func TestSetParams(t *testing.T) {
	f := testFile(t, testModel(), 0.25)
	c, err := f.Config(0)
	if err != nil {
		t.Fatal(err)
	}
	net, err := graph.New(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetParams(net); err != nil {
		t.Fatal(err)
	}
	v, _ := graph.Values(net.Learnables()[0])
	if len(v) != 6 || v[0] != 0.25 {
		t.Errorf("w_mu0 = %v", v)
	}
	f.Params = f.Params[1:]
	if err := f.SetParams(net); err == nil {
		t.Error("a parameter short: no error")
	}
	if math.IsNaN(v[0]) {
		t.Fatal()
	}
}

// FuzzReadCheckpoint: any bytes give a model file or an error, no panic.
func FuzzReadCheckpoint(f *testing.F) {
	var buf bytes.Buffer
	npz.Write(&buf, map[string]npz.Array{
		"meta":   {Shape: []int{66}, Data: []uint8(`{"format":"bbb-checkpoint","version":1,"inputs":1,"params":["w"]}  `)},
		"w":      {Shape: []int{2}, Data: []float32{1, 2}},
		"adam_t": {Data: []int64{1}},
	})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && (c.Version < 1 || c.Version > Version || len(c.Params) == 0) {
			t.Fatalf("accepted %+v", c)
		}
	})
}

// otherPrior is a prior the model file has no name for.
type otherPrior struct{ nodes.Normal }

func (otherPrior) String() string { return "other:1" }

// NetworkOf of a nil prior is the default normal (sigma 0: the default);
// a prior the file cannot name comes back from Network.Config as an error.
func TestNetworkOfPriors(t *testing.T) {
	if got := NetworkOf(graph.Config{}).Prior; got != (Prior{Kind: "normal"}) {
		t.Errorf("nil prior: %+v", got)
	}
	n := NetworkOf(graph.Config{Prior: otherPrior{nodes.Normal{Sigma: 1}}})
	if _, err := n.Config(); n.Prior.Kind != "other:1" || err == nil || err.Error() != `prior "other:1": want normal or mixture` {
		t.Errorf("prior %+v: error %v", n.Prior, err)
	}
}

// A version 3 file lacking a setting the writer always writes is refused,
// naming it, rather than read with the default in its place (a mixture
// prior's model would go on under the normal prior).
func TestVersion3MissingSettingRefused(t *testing.T) {
	f := testFile(t, testModel(), 0.5)
	raw, err := npz.Read(bytes.NewReader(encode(t, f)), int64(len(encode(t, f))))
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	if err := json.Unmarshal(raw["meta"].Data.([]uint8), &meta); err != nil {
		t.Fatal(err)
	}
	for obj, keys := range written {
		for _, k := range keys {
			m := cloneJSON(t, meta)
			o := m
			for _, part := range strings.Split(obj, ".") {
				o = o[part].(map[string]any)
			}
			for _, v := range []any{"delete", nil} {
				if v == "delete" {
					delete(o, k)
				} else {
					o[k] = nil
				}
				mb, _ := json.Marshal(m)
				raw["meta"] = npz.Array{Shape: []int{len(mb)}, Data: mb}
				var buf bytes.Buffer
				if err := npz.Write(&buf, raw); err != nil {
					t.Fatal(err)
				}
				want := "meta: " + obj + "." + k + " missing"
				if _, err := Parse(buf.Bytes()); err == nil || err.Error() != want {
					t.Errorf("%s.%s %v: %v, want %q", obj, k, v, err, want)
				}
			}
		}
	}
}

func cloneJSON(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// otherLik is a likelihood the model file has no name for.
type otherLik struct{ graph.LikFixed }

func (otherLik) String() string { return "other" }

// NetworkOf of a nil likelihood is "fixed", of the package's ones their
// names; a likelihood the file cannot name comes back from Network.Config as
// an error. Params lists a likelihood's learnables after the layers'.
func TestNetworkOfLikelihoods(t *testing.T) {
	for _, tc := range []struct {
		lik    graph.Likelihood
		name   string
		params int
	}{{nil, "fixed", 8}, {graph.LikFixed{}, "fixed", 8}, {graph.LikLearned{}, "learned", 9}, {graph.LikHetero{}, "hetero", 8}} {
		c := graph.Config{Layers: 2, Hidden: 3, Likelihood: tc.lik}
		n := NetworkOf(c)
		back, err := n.Config()
		if n.Likelihood != tc.name || err != nil || back.Lik() != c.Lik() {
			t.Errorf("%v: %q, %v, %v", tc.lik, n.Likelihood, back.Lik(), err)
		}
		ps := Params(c)
		if len(ps) != tc.params || ps[3].Name != "b_rho0" {
			t.Errorf("%v: params %v", tc.lik, ps)
		}
		if last := ps[len(ps)-1]; tc.params == 9 && (last.Name != "noise_rho" || len(last.Shape) != 1 || last.Shape[0] != 1) {
			t.Errorf("%v: last param %v, want noise_rho [1]", tc.lik, last)
		}
		if last := ps[len(ps)-1]; tc.name == "hetero" && last.Shape[0] != 2 {
			t.Errorf("hetero: last param %v, want 2 outputs", last)
		}
	}
	n := NetworkOf(graph.Config{Likelihood: otherLik{}})
	if _, err := n.Config(); n.Likelihood != "other" || err == nil || err.Error() != `graph: likelihood "other": want fixed, learned or hetero` {
		t.Errorf("likelihood %q: error %v", n.Likelihood, err)
	}
}
