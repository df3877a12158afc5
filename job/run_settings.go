package job

import (
	"fmt"
	"strconv"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/train"
)

// RunSettings are how long a train run trains and what it reports, as a
// user gives them: Epochs, the predictive passes (Samples), the epochs
// between two loss reports (ReportEvery) and between two saved
// checkpoints (CheckpointEvery; 0: at the end only). Each field's tags are
// its flag, its default (the seed's) and its help (internal/settingflag).
type RunSettings struct {
	Epochs          int `flag:"epochs" default:"5000" help:"training epochs (full-batch steps)"`
	Samples         int `flag:"samples" default:"1000" help:"stochastic passes for the predictive bands"`
	ReportEvery     int `flag:"report-every" default:"500" help:"epochs between train/validation loss reports"`
	CheckpointEvery int `flag:"checkpoint-every" help:"also write --save every N epochs (a multiple of --report-every; 0: only at the end)" effect:"save!=: it writes --save"`
}

// TrainConfig is the training of model m (ModelSettings.TrainConfig, the
// resident graph if resident) for r's epochs, passes and reports.
func (r RunSettings) TrainConfig(m *ModelSettings, resident bool) train.Config {
	c := m.TrainConfig(resident)
	c.Epochs, c.Samples, c.ReportEvery = r.Epochs, r.Samples, r.ReportEvery
	return c
}

// CheckMilestones refuses a milestone of m's learning-rate schedule that
// the run never reaches (the last at or after Epochs), unless save keeps
// the model for a resumed run that will (a schedule split across runs): a
// *SettingError for LRMilestones. A list that does not parse is
// ModelSettings.CheckValues' to refuse.
func (r RunSettings) CheckMilestones(m *ModelSettings, save string) error {
	ms, err := train.ParseMilestones(m.LRMilestones)
	if err != nil || len(ms) == 0 || ms[len(ms)-1] < r.Epochs || save != "" {
		return nil
	}
	return &SettingError{Setting: "LRMilestones", Value: strconv.Quote(m.LRMilestones), Refs: []string{"Epochs", "Save"},
		Reason: fmt.Sprintf("epoch %d is not before the last epoch ({Epochs} %d), so that rate would never be used (with {Save}, a --resume past it would use it)", ms[len(ms)-1], r.Epochs)}
}

// StartSettings are where a train run starts: the preset whose settings
// fill those the user did not give (Preset, a name of Presets), and the
// model file of a run it goes on from (Resume). Tags as RunSettings'.
type StartSettings struct {
	Preset string `flag:"preset" default:"seed" help:"seed (the seed program's settings), quick (300 epochs, 2000 points, 100 samples), calibrated (--likelihood learned --likelihood-sigma 1) or mnist (the paper's MNIST classifier: 2 hidden layers of --hidden 400, mixture prior, batches of 128, 60 epochs with the rate lowered tenfold after 40 and 52, every core); explicit flags win"`
	Resume string `flag:"resume" help:"continue the run saved in this .npz file up to --epochs (its model, data and seed flags are used)"`
}

// OutputSettings are what a train run writes, as a user gives them: the
// run folder (Out), its figures (Format; none with NoFigures) and the
// 1000-pass band over the training inputs (skipped with NoTrainBand), the
// model file (Save) and a CPU profile (CPUProfile); Quiet: no progress
// lines. Tags as RunSettings'.
type OutputSettings struct {
	Out         string `flag:"out" default:"out" help:"output directory"`
	Format      string `flag:"format" default:"png" help:"figure format: png, svg or pdf" effect:"no-figures=false: no figure is written"`
	NoFigures   bool   `flag:"no-figures" help:"write no figures"`
	NoTrainBand bool   `flag:"no-train-band" help:"skip the 1000-pass band over the training inputs (the seed draws it)"`
	Save        string `flag:"save" help:"write the model (parameters, config, scaler, Adam state) to this .npz file at the end, atomically"`
	CPUProfile  string `flag:"cpuprofile" help:"write a pprof CPU profile of the training loop to this file"`
	Quiet       bool   `flag:"q" help:"no progress on stderr"`
}

// Check checks Epochs, Samples and ReportEvery for a run of task: a
// regression's bands need 2 passes, a classifier's test error 1. The first
// bad one is a *SettingError.
func (r RunSettings) Check(task graph.Task) error {
	minSamples, need := 2, "need at least 2"
	if task == graph.Classification {
		minSamples, need = 1, "need at least 1"
	}
	switch {
	case r.Epochs <= 0:
		return intSettingError("Epochs", r.Epochs, "need a value > 0")
	case r.Samples < minSamples:
		return intSettingError("Samples", r.Samples, need)
	case r.ReportEvery <= 0:
		return intSettingError("ReportEvery", r.ReportEvery, "need a value > 0")
	}
	return nil
}

// CheckCheckpoints checks CheckpointEvery for a run from epoch start (0,
// or the epoch of the model it resumes): 0, or a multiple of ReportEvery
// (a checkpoint is written with a report) with a multiple after start and
// before Epochs.
func (r RunSettings) CheckCheckpoints(start int) error {
	switch {
	case r.CheckpointEvery < 0:
		return intSettingError("CheckpointEvery", r.CheckpointEvery, "need a value >= 0")
	case r.CheckpointEvery > 0 && r.CheckpointEvery%r.ReportEvery != 0:
		return &SettingError{Setting: "CheckpointEvery", Value: strconv.Itoa(r.CheckpointEvery),
			Reason: fmt.Sprintf("need a multiple of {ReportEvery} %d", r.ReportEvery), Refs: []string{"ReportEvery"}}
	case r.CheckpointEvery > 0 && start == 0 && r.CheckpointEvery >= r.Epochs:
		return &SettingError{Setting: "CheckpointEvery", Value: strconv.Itoa(r.CheckpointEvery), Refs: []string{"Epochs"},
			Reason: fmt.Sprintf("no checkpoint would come before the last epoch ({Epochs} %d), whose model the run writes anyway", r.Epochs)}
	case r.CheckpointEvery > 0 && (start/r.CheckpointEvery+1)*r.CheckpointEvery >= r.Epochs:
		return &SettingError{Setting: "CheckpointEvery", Value: strconv.Itoa(r.CheckpointEvery), Refs: []string{"Epochs"},
			Reason: fmt.Sprintf("no checkpoint would come after the resumed model's epoch %d and before the last ({Epochs} %d), whose model the run writes anyway", start, r.Epochs)}
	}
	return nil
}

// CheckClassifier refuses a likelihood other than the fixed one's
// setting for a classifier, whose likelihood is the categorical one.
func (s *ModelSettings) CheckClassifier() error {
	if s.Likelihood != "fixed" {
		return &SettingError{Setting: "Likelihood", Value: s.Likelihood, Reason: "a classifier's likelihood is the categorical (softmax) one"}
	}
	return nil
}

// CheckMNISTSplits checks the rows a run takes of each MNIST split (0:
// all) and its validation draws per epoch (valSamples).
func CheckMNISTSplits(c data.MNISTConfig, valSamples int) error {
	switch {
	case c.Train < 0 || c.Train > data.MNISTTrain:
		return intSettingError("MNISTTrain", c.Train, fmt.Sprintf("want 0 to %d (0: all %d)", data.MNISTTrain, data.MNISTTrain))
	case c.Val < 0 || c.Val > data.MNISTVal:
		return intSettingError("MNISTVal", c.Val, fmt.Sprintf("want 0 to %d (0: all %d)", data.MNISTVal, data.MNISTVal))
	case c.TestRows < 0 || c.TestRows > data.MNISTTest:
		return intSettingError("MNISTTest", c.TestRows, fmt.Sprintf("want 0 to %d (0: all %d)", data.MNISTTest, data.MNISTTest))
	case valSamples < 1:
		return intSettingError("ValSamples", valSamples, "need at least 1")
	}
	return nil
}

func intSettingError(setting string, v int, reason string) error {
	return &SettingError{Setting: setting, Value: strconv.Itoa(v), Reason: reason}
}
