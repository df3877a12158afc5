package job

import (
	"context"
	"strings"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
)

// Info describes a job's circumstances for its summary.json and saved
// models: what the caller knows and the job cannot (bbb fills it from its
// build and flags). Zero fields are written as zero.
type Info struct {
	Preset     string      // the settings the run was started with (bbb train --preset)
	Dtype      string      // the graph's float type as named: "float32" or "float64"
	Device     string      // where the graph runs: "cpu" or "gpu"
	DeviceName string      // the CPU's or GPU's model name
	Ops        string      // the graph's operations: "fused", "stock" or "resident"
	GEMM       string      // what runs the graph's matrix products
	Threads    int         // threads one GEMM may use (Classification's summary and progress)
	Build      train.Build // the program that ran the job
	// Model holds the settings that shape the run, recorded in every
	// saved model (modelfile.Model: the job fills in the seed, inputs,
	// columns and scaler, and the network trained when Network is unset)
	// so that a later run can restore them (bbb train --resume, bbb
	// predict).
	Model modelfile.Model
}

// withNetwork is i.Model with the network g when the caller left it unset
// (a library call): a saved model always records the network it holds.
func (i Info) withNetwork(g graph.Config) modelfile.Model {
	m := i.Model
	if m.Network == (modelfile.Network{}) {
		m.Network = modelfile.NetworkOf(g)
	}
	return m
}

// Outputs choose a job's optional outputs.
type Outputs struct {
	Format    string // figures' format: "png" (default), "svg" or "pdf"
	NoFigures bool   // write no figures
	// Save, if set, is the file the trained model (parameters, config,
	// scaler, Adam state) is written to, atomically, when training has
	// finished. It may lie outside the job's folder.
	Save string
	// CheckpointEvery also writes Save every so many epochs (a multiple
	// of train.Config.ReportEvery); 0: only at the end.
	CheckpointEvery int
	// KeepModel, if set, is handed the final model instead of the job
	// writing it to Save: the caller writes it once its other outputs are
	// in place (bbb: after --out is replaced), so that a run that fails or
	// is stopped after training leaves Save as it was. Checkpoints are
	// still written to Save as they come.
	KeepModel func(*modelfile.File)
}

// saveFinal writes the trained model to Save, or hands it to KeepModel.
func (o Outputs) saveFinal(tr *train.Trainer, meta modelfile.Model, reports []train.Report, layers []train.LayerStat) error {
	if o.KeepModel == nil {
		return writeModel(tr, meta, reports, layers, o.Save)
	}
	f, err := checkpoint(tr, meta, reports, layers)
	if err != nil {
		return err
	}
	o.KeepModel(f)
	return nil
}

// ext is the figures' file extension.
func (o Outputs) ext() string {
	if o.Format == "" {
		return ".png"
	}
	return "." + strings.ToLower(o.Format)
}

// Hooks let the caller follow a job. Nil hooks do nothing (Stage: the
// job checks ctx at each stage).
type Hooks struct {
	// Stage is called as the job enters each stage, by name ("set-up",
	// "training", "predictive sampling (validation inputs)", "figures
	// (band_val.png)", "summary", ...); the job stops with the error it
	// returns. It should return ctx.Err(): bbb passes
	// interrupt.EnterStage, whose message of an interrupted run names the
	// stage.
	Stage func(ctx context.Context, name string) error
	// Stopped is told where training stood when the context stopped it
	// ("training (after epoch 3 of 10)"): bbb passes interrupt.SetStage.
	Stopped func(stage string)
	// Profile brackets the training loop: it is called as training
	// starts, and the function it returns is called once training has
	// ended with write true (its error joins the run's), or on an early
	// return with write false; the first call decides. bbb's --cpuprofile
	// starts pprof here.
	Profile func() (stop func(write bool) error, err error)
}

func (h Hooks) enter(ctx context.Context, name string) error {
	if h.Stage != nil {
		return h.Stage(ctx, name)
	}
	return ctx.Err()
}

func (h Hooks) stopped(stage string) {
	if h.Stopped != nil {
		h.Stopped(stage)
	}
}

func (h Hooks) profile() (func(bool) error, error) {
	if h.Profile == nil {
		return func(bool) error { return nil }, nil
	}
	return h.Profile()
}

// An InputError is a failure that lies with one of a job's inputs rather
// than with the run; Input names the field: "Resume" or "From" (the
// network cannot start from that model), "Prune" (its weights cannot be
// pruned), "Save" (the model file cannot be written), "Net" (no network),
// "X" (Predict's inputs) or "Fractions" (Prune's shares). bbb words each
// with its flag's name: a bad --resume or --from is a usage error.
type InputError struct {
	Input string
	Err   error
}

func (e *InputError) Error() string { return strings.ToLower(e.Input) + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// writeModel writes the trainer's checkpoint to path.
func writeModel(tr *train.Trainer, meta modelfile.Model, reports []train.Report, layers []train.LayerStat, path string) error {
	f, err := checkpoint(tr, meta, reports, layers)
	if err != nil {
		return err
	}
	return modelfile.Write(path, f)
}

// checkpoint is the trainer's model file with the layer reports so far
// (layers.csv's rows: a resumed run's layers.csv starts with them).
func checkpoint(tr *train.Trainer, meta modelfile.Model, reports []train.Report, layers []train.LayerStat) (*modelfile.File, error) {
	f, err := tr.Checkpoint(meta, reports)
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		f.Layers = append(f.Layers, modelfile.LayerReport(l))
	}
	return f, nil
}

// lrGamma is the schedule's factor for a summary: 0 (omitted) when the rate
// is constant.
func lrGamma(s train.LRSchedule) float64 {
	if len(s.Milestones) == 0 {
		return 0
	}
	return s.Gamma
}
