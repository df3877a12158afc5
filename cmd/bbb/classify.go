package main

import (
	"context"
	"flag"
	"io"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/modelfile"
)

// mnistFlags choose the MNIST files and how much of each split a run uses
// (train --preset mnist, prune: job.MNISTSettings' flags; train's also
// job.MNISTTraining's).
type mnistFlags struct {
	job.MNISTSettings
	job.MNISTTraining
	fromModel *modelfile.File // --from, read by checkClassify
}

func (m *mnistFlags) register(fs *flag.FlagSet, withTraining bool) {
	settingflag.SetDefaults(&m.MNISTSettings)
	settingflag.SetDefaults(&m.MNISTTraining) // (prune: one validation draw, unused)
	settingflag.Register(fs, &m.MNISTSettings)
	if withTraining {
		settingflag.Register(fs, &m.MNISTTraining)
	}
}

// mnistOnly are train's flags that only --preset mnist reads (flagdeps.go
// refuses them elsewhere).
var mnistOnly = []string{"mnist-dir", "mnist-train", "mnist-val", "mnist-test", "val-samples", "from", "prune"}

// regressionOnly are train's flags a classifier has no use for: a
// classification run refuses them rather than ignore them (flagdeps.go).
var regressionOnly = []string{"points", "likelihood", "likelihood-sigma", "min-sigma", "n-batch",
	"data", "val", "val-split", "x-cols", "y-col", "resume", "no-train-band", "workers"}

func (m *mnistFlags) check() error {
	return flagError(job.CheckMNISTSplits(m.Config(m.MNISTTraining), m.ValSamples))
}

// checkFiles refuses a --mnist-dir without the four idx files before any
// work (bbb sweep checks every point of a grid with it).
func (m *mnistFlags) checkFiles() error { return flagError(m.CheckFiles()) }

// load reads MNIST; a missing or corrupt file names --mnist-dir.
func (m *mnistFlags) load() (data.ClassData, error) {
	d, err := m.Load(m.MNISTTraining)
	return d, flagError(err)
}

func mnistGraph(m *modelFlags) graph.Config { return job.MNISTGraph(m.graphConfig()) }

// checkClassify validates a --preset mnist run's flags before any work.
func (f *trainFlags) checkClassify() error {
	if err := f.run.Check(graph.Classification); err != nil {
		return flagError(err)
	}
	if err := f.CheckClassifier(); err != nil {
		return flagError(err)
	}
	if err := f.mnist.check(); err != nil {
		return err
	}
	if err := f.mnist.checkFiles(); err != nil {
		return err
	}
	f.Points = data.MNISTTrain // (not used; keeps modelFlags.check's range check quiet)
	if err := f.modelFlags.check(); err != nil {
		return err
	}
	if err := mnistGraph(&f.modelFlags).WithDefaults().Validate(); err != nil {
		return usagef("--preset mnist: %v", err)
	}
	if err := checkFormat(&f.files.Format); err != nil {
		return err
	}
	if err := f.checkOutputs(); err != nil {
		return err
	}
	if err := f.checkFrom(); err != nil {
		return err
	}
	s := job.MNISTMemorySizes(f.Hidden, f.Layers, f.DtypeBytes())
	s.PointsFrom = "--preset mnist (70000 images)"
	return checkMemory(s, f.maxMemory)
}

// checkFrom validates --from and --prune and reads the model.
func (f *trainFlags) checkFrom() error {
	m := &f.mnist
	if err := m.CheckPrune(f.LocalReparam); err != nil || m.From == "" { // (--prune without --from: flagdeps.go)
		return flagError(err)
	}
	c, err := readModel("--from", m.From)
	if err != nil {
		return err
	}
	if err := m.CheckFrom(c, mnistGraph(&f.modelFlags)); err != nil {
		return flagError(err)
	}
	m.fromModel = c
	return nil
}

// runClassify is train --preset mnist: the paper's MNIST experiment.
func runClassify(ctx context.Context, f trainFlags, stdout, stderr io.Writer) error {
	if err := f.checkClassify(); err != nil || checkOnly(ctx) {
		return err
	}
	if err := interrupt.EnterStage(ctx, "loading MNIST"); err != nil {
		return err
	}
	data, err := f.mnist.load()
	if err != nil {
		return err
	}
	if f.BatchSize > data.Train.Len() {
		return usagef("--batch-size %d: over the %d training images", f.BatchSize, data.Train.Len())
	}
	rd, err := openRunDir("--out", f.files.Out)
	if err != nil {
		return err
	}
	defer rd.Abort()
	return classifyJob(ctx, f, data, rd, stdout, stderr)
}

// classifyJob runs the classification job into the staged run and
// replaces --out with it.
func classifyJob(ctx context.Context, f trainFlags, set data.ClassData, rd *runDir, stdout, stderr io.Writer) error {
	cfg := f.run.TrainConfig(&f.ModelSettings, cudaBuild)
	cfg.Graph = mnistGraph(&f.modelFlags)
	j := job.Classification{Train: cfg, Data: set, ValSamples: f.mnist.ValSamples,
		From: f.mnist.fromModel, FromFile: f.mnist.From, Prune: f.mnist.Prune,
		Outputs: f.jobOutputs(rd.Stage), Info: f.jobInfo(), Hooks: f.jobHooks(ctx, rd.Stage)}
	rd.Prepare = f.writeKept
	s, err := j.Run(ctx, rd.Stage, f.progress(stderr))
	if err != nil {
		return f.jobError(rd, err)
	}
	if err := rd.commitOut(ctx); err != nil {
		return err
	}
	return job.WriteClassSummary(stdout, s, f.files.Out)
}
