package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

// Classification is `bbb train --preset mnist`: the paper's MNIST
// experiment (Blundell et al. 2015, §5.1). It trains a classifier,
// reports the validation error after every epoch, measures the test error
// and writes the run's files.
type Classification struct {
	// Train is the network and how it trains; its zero fields are
	// train.Config's defaults. Graph must be a classifier of Data's
	// inputs and classes (graph.Classification). Samples is the number of
	// weight draws whose mean softmax gives the test error (the trainer
	// gets at least 2).
	Train train.Config
	// Data are the images: data.LoadMNIST.
	Data data.ClassData
	// ValSamples is the number of weight draws for the validation error
	// after each epoch (default 1).
	ValSamples int
	// From, if not nil, is a saved classifier of the same shape to start
	// from instead of a fresh init; the weights it holds at zero (a pruned
	// and held run) stay held. FromFile names it in progress lines and the
	// summary.
	From     *modelfile.File
	FromFile string
	// Prune, with From, removes this share of the weights (0 < Prune < 1),
	// those of lowest |mu|/sigma, and holds them at zero while the others
	// retrain.
	Prune float64

	Outputs
	Info
	Hooks
}

// The paper's MNIST results (Blundell et al. 2015, Table 1): test error of
// BBB with the scale-mixture prior, by hidden width.
var paperMNISTError = map[int]float64{400: 0.0136, 800: 0.0134, 1200: 0.0132}

// Run trains, tests and writes the run's files into dir (an existing
// folder) and returns the summary written to summary.json. Progress lines
// (the data, each epoch's validation error, the test error) go to
// progress unless it is nil.
//
// A run that diverged returns an error wrapping train.ErrDiverged after
// writing losses.csv: it says where the run went wrong. A cancelled ctx
// stops the run at the next stage or epoch, and returns its error.
func (c Classification) Run(ctx context.Context, dir string, progress io.Writer) (train.ClassSummary, error) {
	set, start := c.Data, time.Now()
	if err := c.enter(ctx, "set-up"); err != nil {
		return train.ClassSummary{}, err
	}
	cfg := c.Train.WithDefaults()
	samples := cfg.Samples // the test error's draws
	cfg.Samples = max(samples, 2)
	valSamples := c.ValSamples
	if valSamples == 0 {
		valSamples = 1
	}
	tr, err := train.NewTrainer(cfg, set.Set)
	if err != nil {
		return train.ClassSummary{}, err
	}
	defer tr.Close()
	valCl, err := train.NewClassifier(tr.Net, set.Val.Len())
	if err != nil {
		return train.ClassSummary{}, err
	}
	defer valCl.Close()
	valCl.Ctx = ctx
	valLabels, testLabels := data.Labels(set.Val, set.Classes), data.Labels(set.Test, set.Classes)
	out := func(format string, a ...any) {
		if progress != nil {
			fmt.Fprintf(progress, format+"\n", a...)
		}
	}
	layers, hidden := cfg.Graph.Layers, cfg.Graph.Hidden
	widths := []string{fmt.Sprint(cfg.Graph.Inputs)}
	for range layers - 1 {
		widths = append(widths, fmt.Sprint(hidden))
	}
	out("mnist: %d training, %d validation, %d test images; %s-%d units, batch %d, %s prior, %d epochs, GEMM %s (threads %d)",
		set.Train.Len(), set.Val.Len(), set.Test.Len(), strings.Join(widths, "-"), set.Classes, cfg.Batch.Size, cfg.Graph.WeightPrior(),
		cfg.Epochs, c.GEMM, c.Threads)
	pruned, err := c.startFrom(tr, out)
	if err != nil {
		return train.ClassSummary{}, err
	}

	meta := c.Info.withNetwork(cfg.Graph)
	meta.Seed, meta.Network.Inputs = cfg.Seed, cfg.Graph.Inputs
	var saveErr error
	var reports []train.Report
	var classReports []train.ClassReport
	var hookErr error
	if err := c.enter(ctx, "training"); err != nil {
		return train.ClassSummary{}, err
	}
	stopProfile, err := c.profile()
	if err != nil {
		return train.ClassSummary{}, err
	}
	defer stopProfile(false) // (an early return: a failed run writes no profile)
	t0 := time.Now()
	_, runErr := tr.Run(ctx, func(r train.Report) {
		if hookErr != nil {
			return
		}
		reports = append(reports, r)
		mean, first, err := valCl.Probs(tr.Net, set.Val.X, valSamples, cfg.Seed)
		if err != nil {
			hookErr = err
			return
		}
		s, err := metrics.ScoreClasses(mean, first, valLabels, set.Classes)
		if err != nil {
			hookErr = err
			return
		}
		secs := tr.StepSeconds[len(tr.StepSeconds)-1]
		classReports = append(classReports, train.ClassReport{Report: r, ValError: s.Error, ValNLL: s.NLL, Seconds: secs})
		out("epoch %*d/%d  train ELBO %.4f  val NLL %.4f  val error %5.2f %%  %.1f s/epoch  RSS %.0f MiB",
			len(fmt.Sprint(cfg.Epochs)), r.Epoch, cfg.Epochs, r.TrainLoss, s.NLL, 100*s.Error, secs, rssMiB())
		if k := c.CheckpointEvery; k > 0 && r.Epoch%k == 0 && r.Epoch < cfg.Epochs && saveErr == nil {
			saveErr = writeModel(tr, meta, reports, nil, c.Save)
		}
	})
	trainSeconds := time.Since(t0).Seconds()
	if runErr == nil {
		runErr = hookErr
	}
	runErr = errors.Join(runErr, stopProfile(true))
	if err := train.WriteClassLosses(filepath.Join(dir, "losses.csv"), classReports); err != nil {
		return train.ClassSummary{}, err
	}
	if runErr == nil && saveErr == nil && c.Save != "" {
		saveErr = c.saveFinal(tr, meta, reports, nil)
	}
	if runErr == nil && saveErr != nil {
		runErr = &InputError{Input: "Save", Err: saveErr}
	}
	if runErr != nil {
		if ctx.Err() != nil {
			c.stopped(fmt.Sprintf("training (after epoch %d of %d)", tr.Epoch(), cfg.Epochs))
		}
		return train.ClassSummary{}, runErr
	}

	if err := c.enter(ctx, "test error"); err != nil {
		return train.ClassSummary{}, err
	}
	t1 := time.Now()
	testCl, err := train.NewClassifier(tr.Net, set.Test.Len())
	if err != nil {
		return train.ClassSummary{}, err
	}
	defer testCl.Close()
	testCl.Ctx = ctx
	mean, first, err := testCl.Probs(tr.Net, set.Test.X, samples, cfg.Seed+1)
	if err != nil {
		return train.ClassSummary{}, err
	}
	test, err := metrics.ScoreClasses(mean, first, testLabels, set.Classes)
	if err != nil {
		return train.ClassSummary{}, err
	}
	testSeconds := time.Since(t1).Seconds()
	testMeanW, err := MeanWeightsError(testCl, tr.Net, set.Test.X, testLabels, set.Classes)
	if err != nil {
		return train.ClassSummary{}, err
	}
	mean, first, err = valCl.Probs(tr.Net, set.Val.X, samples, cfg.Seed+1)
	if err != nil {
		return train.ClassSummary{}, err
	}
	val, err := metrics.ScoreClasses(mean, first, valLabels, set.Classes)
	if err != nil {
		return train.ClassSummary{}, err
	}
	out("test: error %.2f %% (mean of %d draws), %.2f %% (one draw), %.2f %% (posterior means), NLL %.4f, ECE %.4f, in %.1f s",
		100*test.Error, samples, 100*test.ErrorSingle, 100*testMeanW, test.NLL, test.ECE, testSeconds)

	var figures []string
	if !c.NoFigures {
		ext := c.ext()
		figs := []figure{
			{"learning_curve" + ext, func(p string) error { // test line: the mean of Samples draws
				ep, tl, ve := classSeries(classReports)
				ref, label := math.NaN(), ""
				if e, ok := paperMNISTError[hidden]; ok && layers == 3 {
					ref, label = e, fmt.Sprintf("paper, BBB %d units: %.2f %%", hidden, 100*e)
				}
				return viz.LearningCurve(p, viz.CurveFigure{Title: fmt.Sprintf("MNIST, BBB %d × %d units: validation error", layers-1, hidden),
					Epochs: ep, TrainLoss: tl, ValError: ve, TestError: test.Error, TestSamples: samples, Reference: ref, ReferenceLabel: label,
					ValLabel: fmt.Sprintf("validation, mean softmax of %d draw(s)", valSamples)})
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
			if err := c.enter(ctx, "figures ("+fig.name+")"); err != nil {
				return train.ClassSummary{}, err
			}
			if err := fig.draw(filepath.Join(dir, fig.name)); err != nil {
				return train.ClassSummary{}, err
			}
			figures = append(figures, fig.name)
		}
	}
	last := classReports[len(classReports)-1]
	init := cfg.Graph.Init
	s := train.ClassSummary{
		Task: graph.Classification.String(), Dataset: "mnist", Preset: c.Preset, Dtype: c.Dtype, Device: c.Device, DeviceName: c.DeviceName,
		Seed: cfg.Seed, Epochs: cfg.Epochs, Layers: layers, Hidden: hidden, Classes: set.Classes,
		Prior: cfg.Graph.WeightPrior().String(), KL: cfg.Graph.KL.String(), Estimator: cfg.Graph.Estimator.String(),
		BatchSize: cfg.Batch.Size, MCSamples: max(1, cfg.MCSamples), LR: cfg.LearningRate,
		LRMilestones: cfg.LRSchedule.Milestones, LRGamma: lrGamma(cfg.LRSchedule),
		Init: fmt.Sprintf("w_mu ~ N(0, %g²), rho = %g", init.WMuStd, init.WRhoMean),
		From: c.FromFile, Prune: c.Prune, PrunedWeights: pruned,
		TrainImages: set.Train.Len(), ValImages: set.Val.Len(), TestImages: set.Test.Len(),
		Samples: samples, ValSamples: valSamples, Threads: c.Threads, GEMM: c.GEMM, Figures: figures,
		SecondsPerEpoch: bench.Median(slices.Sorted(slices.Values(tr.StepSeconds))), TrainSeconds: trainSeconds, TestSeconds: testSeconds,
		TrainLossPerImage: last.TrainLoss, ValLossPerImage: last.ValLoss,
		ValError: val.Error, ValNLL: val.NLL,
		TestError: test.Error, TestErrorSingle: test.ErrorSingle, TestErrorMeanW: testMeanW, TestNLL: test.NLL, TestECE: test.ECE,
	}
	if cfg.Batch.Size > 0 {
		s.KLWeight = cfg.Batch.Weighting.String()
	}
	s.TotalSeconds, s.PeakRSSMiB, s.Build = time.Since(start).Seconds(), peakRSSMiB(), c.Build
	if err := c.enter(ctx, "summary"); err != nil {
		return train.ClassSummary{}, err
	}
	if err := train.WriteClassSummary(filepath.Join(dir, "summary.json"), s); err != nil {
		return train.ClassSummary{}, err
	}
	if err := atomicio.WriteFile(filepath.Join(dir, "graph.dot"), func(w io.Writer) error {
		_, err := io.WriteString(w, tr.Net.DOT())
		return err
	}); err != nil {
		return train.ClassSummary{}, err
	}
	return s, nil
}

// startFrom sets From's parameters, holds the weights a pruned and held
// run left at zero (they cannot train: train.HoldSaved) and, with Prune,
// prunes and holds more; it returns the number of weights held at zero.
func (c Classification) startFrom(tr *train.Trainer, out func(string, ...any)) (int, error) {
	if c.From == nil {
		return 0, nil
	}
	if err := c.From.SetParams(tr.Net); err != nil {
		return 0, err
	}
	saved, err := tr.HoldSaved()
	if err != nil {
		return 0, &InputError{Input: "From", Err: err}
	}
	if c.Prune == 0 {
		if saved > 0 {
			out("from %s: its %d pruned weights stay held at zero; the other %d train", c.FromFile, saved, tr.Kept())
		} else {
			out("from %s", c.FromFile)
		}
		return saved, nil
	}
	removed, thr, err := tr.PruneAndHold(c.Prune)
	if err != nil {
		return 0, &InputError{Input: "Prune", Err: err}
	}
	out("from %s: %d weights of SNR <= %.2f dB removed and held at zero; the other %d retrain (the held weights' KL, a constant, stays in the training ELBO)",
		c.FromFile, removed, 10*math.Log10(thr), tr.Kept())
	return removed, nil
}

// MeanWeightsError is the classification error of net at its posterior
// means (one deterministic pass, every epsilon 0) on the inputs x of the
// given labels and k classes: the paper's test error of a pruned network
// is of the means (bbb prune).
func MeanWeightsError(cl *train.Classifier, net *graph.Network, x []float64, labels []int, k int) (float64, error) {
	cl.PosteriorMean = true
	defer func() { cl.PosteriorMean = false }()
	p, _, err := cl.Probs(net, x, 1, 0)
	if err != nil {
		return 0, err
	}
	s, err := metrics.ScoreClasses(p, p, labels, k)
	return s.Error, err
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
