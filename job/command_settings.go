package job

import (
	"errors"
	"fmt"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
)

// PredictSettings are bbb predict's settings as a user gives them (each
// field's tags: its flag, default and help, internal/settingflag),
// checked by Check before any file is read; Quantiles is parsed by
// ParseQuantiles. Workers defaults to 1 here (bbb: one per core).
type PredictSettings struct {
	Model     string `flag:"model" help:"the model: an .npz file written by train --save"`
	Data      string `flag:"data" help:"inputs: a CSV file with a header row holding the model's input columns (others are ignored)"`
	Out       string `flag:"out" default:"pred.csv" help:"output CSV (- for stdout): inputs, mean, std_epistemic, std_total, then the quantiles"`
	Samples   int    `flag:"samples" default:"1000" help:"stochastic passes"`
	Quantiles string `flag:"quantiles" default:"0.05,0.5,0.95" help:"comma-separated quantile levels in [0, 1]"`
	Workers   int    `flag:"workers" default:"1" help:"goroutines for predictive sampling"`
	Seed      uint64 `flag:"seed" help:"seed of the passes' epsilon (default: the model's training seed)"`
	Quiet     bool   `flag:"q" help:"no progress on stderr"`
}

// Check returns the quantile levels, or the first bad setting as a
// *SettingError: the levels, Samples (at least 2), Workers (at least 1),
// then a missing Model, Data or Out.
func (p PredictSettings) Check() ([]float64, error) {
	qs, err := ParseQuantiles(p.Quantiles)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Samples < 2:
		return nil, intSettingError("Samples", p.Samples, "need at least 2")
	case p.Workers < 1:
		return nil, intSettingError("Workers", p.Workers, "need at least 1")
	case p.Model == "":
		return nil, &SettingError{Setting: "Model", Reason: "required (an .npz file written by train --save)"}
	case p.Data == "":
		return nil, &SettingError{Setting: "Data", Reason: "required (a CSV file of inputs)"}
	case p.Out == "":
		return nil, &SettingError{Setting: "Out", Reason: "empty path"}
	}
	return qs, nil
}

// PruneSettings are bbb prune's settings as a user gives them (tags as
// PredictSettings'), checked by Check before any file is read.
type PruneSettings struct {
	Model     string `flag:"model" help:"an MNIST model: the .npz file of train --preset mnist --save"`
	Fractions string `flag:"fractions" default:"0.5,0.75,0.95,0.98" help:"shares of the weights to remove, increasing, each in (0, 1)"`
	Out       string `flag:"out" default:"prune" help:"output directory: prune.csv, snr.FORMAT, prune_error.FORMAT (a folder of its own: it is replaced whole)"`
	Format    string `flag:"format" default:"png" help:"figure format: png, svg or pdf"`
	Samples   int    `flag:"samples" default:"100" help:"weight draws averaged for each test error (10 leave a Monte Carlo noise of a few tenths of a point on a trained MNIST model)"`
	Seed      uint64 `flag:"seed" help:"seed of the weight draws (default: the model's training seed)"`
	Quiet     bool   `flag:"q" help:"no progress on stderr"`
}

// Check returns the shares to remove (ParseFractions), or the first bad
// setting as a *SettingError: the shares, a missing Model, then Samples
// (at least 1).
func (p PruneSettings) Check() ([]float64, error) {
	fr, err := ParseFractions(p.Fractions)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Model == "":
		return nil, &SettingError{Setting: "Model", Reason: "required (an .npz file written by train --preset mnist --save)"}
	case p.Samples < 1:
		return nil, intSettingError("Samples", p.Samples, "need at least 1")
	}
	return fr, nil
}

// CheckModel refuses a model file c (read from Model) that predict cannot
// sample with the quantile levels qs: a classifier, input names that do
// not match its inputs, or an input named as a column of the predictions
// file (CheckInputNames). Each is a *SettingError for Model.
func (p PredictSettings) CheckModel(c *modelfile.File, qs []float64) error {
	bad := func(reason string) error {
		return &SettingError{Setting: "Model", Value: p.Model, Reason: "{0}", Args: []string{reason}}
	}
	n := c.Model.Network
	switch {
	case n.Task != "":
		return bad(fmt.Sprintf("a %s model: predict samples regression models (for an MNIST model: bbb prune)", n.Task))
	case len(c.Model.XNames) != n.Inputs:
		return bad(fmt.Sprintf("%d input names for %d inputs", len(c.Model.XNames), n.Inputs))
	}
	if err := CheckInputNames(c.Model.XNames, qs); err != nil {
		return &SettingError{Setting: "Model", Value: p.Model, Reason: "{0}; give other {Quantiles}, or train with the column renamed", Refs: []string{"Quantiles"}, Args: []string{err.Error()}}
	}
	return nil
}

// ReadInputs reads Data's columns of the model c's inputs, each row near
// the data it was trained on (data.CheckNear against its scaler); a
// problem is a *SettingError for Data (with the file's line).
func (p PredictSettings) ReadInputs(c *modelfile.File) (data.Table, error) {
	tab, err := data.ReadCSV(p.Data, data.CSVColumns{XCols: c.Model.XNames, NoTarget: true})
	if err != nil {
		return tab, &SettingError{Setting: "Data", Reason: err.Error()}
	}
	if fe := (*data.FarError)(nil); errors.As(data.CheckNear(tab, c.Model.Scaler), &fe) {
		return tab, &SettingError{Setting: "Data", Value: fmt.Sprintf("%s:%d", p.Data, fe.Line), Reason: fe.Reason()}
	}
	return tab, nil
}

// MemorySizes are the sizes of predicting with model m (c's settings) at
// tab's rows and the quantile levels qs, each named by where it comes
// from (the model file, the data).
func (p PredictSettings) MemorySizes(c *modelfile.File, m *ModelSettings, tab data.Table, qs []float64) memory.Sizes {
	inputs := c.Model.Network.Inputs
	return memory.Sizes{Job: memory.Predict, Points: tab.Rows(), Hidden: m.Hidden, Layers: m.Layers, Samples: p.Samples, Workers: p.Workers,
		Levels: len(qs), Inputs: inputs, DtypeBytes: m.DtypeBytes(),
		PointsFrom: fmt.Sprintf("--data %s (%d rows)", p.Data, tab.Rows()), InputsFrom: fmt.Sprintf("--model %s (%d inputs)", p.Model, inputs),
		HiddenFrom: fmt.Sprintf("--model %s (hidden %d)", p.Model, m.Hidden), LayersFrom: fmt.Sprintf("--model %s (%d layers)", p.Model, m.Layers)}
}
