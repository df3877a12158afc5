package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

// runPrune is the paper's Table 2: remove the weights of lowest |mu|/sigma
// from a saved MNIST model and report the test error per share removed.
func runPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var model, fractions, out, format string
	var samples int
	var seed uint64
	var quiet bool
	var mf mnistFlags
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	fs.StringVar(&model, "model", "", "an MNIST model: the .npz file of train --preset mnist --save")
	fs.StringVar(&fractions, "fractions", "0.5,0.75,0.95,0.98", "shares of the weights to remove, increasing, each in (0, 1)")
	fs.StringVar(&out, "out", "prune", "output directory: prune.csv, snr.FORMAT, prune_error.FORMAT (a folder of its own: it is replaced whole)")
	fs.StringVar(&format, "format", "png", "figure format: png, svg or pdf")
	fs.IntVar(&samples, "samples", 100, "weight draws averaged for each test error (10 leave a Monte Carlo noise of a few tenths of a point on a trained MNIST model)")
	fs.Uint64Var(&seed, "seed", 0, "seed of the weight draws (default: the model's training seed)")
	fs.BoolVar(&quiet, "q", false, "no progress on stderr")
	mf.register(fs, false)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := checkFlagDeps(fs, explicitFlags(fs)); err != nil {
		return err
	}
	fr, err := parseFractions(fractions)
	if err != nil {
		return err
	}
	switch {
	case model == "":
		return usagef("--model: required (an .npz file written by train --preset mnist --save)")
	case samples < 1:
		return usagef("--samples %d: need at least 1", samples)
	}
	mf.valSamples = 1 // (train's flag)
	if err := mf.check(); err != nil {
		return err
	}
	if err := checkFormat(&format); err != nil {
		return err
	}
	plan := newPlan()
	plan.In("--model", model)
	plan.InDir("--mnist-dir", mf.dir)
	plan.OutDir("--out", out)
	if err := checkPlan(plan); err != nil {
		return err
	}
	if err := mf.checkFiles(); err != nil {
		return err
	}
	c, err := readModel("--model", model)
	if err != nil {
		return err
	}
	if c.Meta.Task != graph.Classification.String() || c.Meta.Classes != data.MNISTClasses || c.Meta.Inputs != data.MNISTPixels {
		return usagef("--model %s: a model of %d inputs and %d outputs (%s); MNIST needs a classifier of 784 inputs and 10 classes (train --preset mnist --save)",
			model, c.Meta.Inputs, max(c.Meta.Classes, 1), taskName(c.Meta.Task))
	}
	if !isSet(fs, "seed") {
		seed = c.Meta.Seed
	}
	var m modelFlags
	mfs := flag.NewFlagSet("model", flag.ContinueOnError)
	m.register(mfs)
	var d dataFlags
	d.register(mfs)
	if err := applyFlags(mfs, c.Meta.Flags, nil, model); err != nil {
		return err
	}
	m.threads, m.points = 0, data.MNISTTrain // every core for the test passes
	if err := m.check(); err != nil {
		return usagef("--model %s: %v", model, err)
	}
	cfg := mnistGraph(&m)
	net, err := graph.New(cfg, 1)
	if err != nil {
		return usagef("--model %s: %v", model, err)
	}
	if err := c.SetParams(net); err != nil {
		return usagef("--model %s: %v", model, err)
	}
	nw := 0
	for _, l := range net.Layers {
		nw += l.WMu.Shape().TotalSize()
	}
	for _, f := range fr {
		if k := int(math.Round(f * float64(nw))); k == 0 || k == nw {
			return usagef("--fractions %q: %v of the model's %d weights removes %d; want a share that removes some and keeps some", fractions, f, nw, k)
		}
	}
	if err := interrupt.EnterStage(ctx, "loading MNIST"); err != nil {
		return err
	}
	mf.train, mf.val = 1, 1 // only the test split is used
	set, err := mf.load()
	if err != nil {
		return err
	}
	rd, err := openRunDir("--out", out)
	if err != nil {
		return err
	}
	defer rd.Abort()
	logf := func(format string, a ...any) {
		if !quiet {
			fmt.Fprintf(stderr, format+"\n", a...)
		}
	}
	snr, err := train.WeightSNR(net)
	if err != nil {
		return err
	}
	cl, err := train.NewClassifier(net, set.Test.Len())
	if err != nil {
		return err
	}
	defer cl.Close()
	cl.Ctx = ctx
	labels := data.Labels(set.Test, set.Classes)
	score := func() (train.ClassScores, error) {
		mean, first, err := cl.Probs(net, set.Test.X, samples, seed+1)
		if err != nil {
			return train.ClassScores{}, err
		}
		return train.ScoreClasses(mean, first, labels, set.Classes)
	}
	if err := interrupt.EnterStage(ctx, "test error (no pruning)"); err != nil {
		return err
	}
	base, err := score()
	if err != nil {
		return err
	}
	baseMean, err := job.MeanWeightsError(cl, net, set.Test.X, labels, set.Classes)
	if err != nil {
		return err
	}
	logf("prune: %d weights; no pruning: test error %.2f %% (%d images, %d draws; posterior means %.2f %%)", len(snr), 100*base.Error, set.Test.Len(), samples, 100*baseMean)
	type row struct {
		frac, thresholdDB float64
		removed           int
		s                 train.ClassScores
		meanW             float64 // error at the posterior means
	}
	rows := []row{{0, math.Inf(-1), 0, base, baseMean}}
	for _, f := range fr {
		if err := interrupt.EnterStage(ctx, fmt.Sprintf("pruning %g", f)); err != nil {
			return err
		}
		// Pruning is cumulative (fractions increase): each step removes the
		// next-lowest SNRs, the same weights a fresh prune would.
		removed, thr, err := train.Prune(net, f)
		if err != nil {
			return err
		}
		s, err := score()
		if err != nil {
			return err
		}
		mw, err := job.MeanWeightsError(cl, net, set.Test.X, labels, set.Classes)
		if err != nil {
			return err
		}
		rows = append(rows, row{f, 10 * math.Log10(thr), removed, s, mw})
		logf("prune: %5.1f %% removed (%d weights, SNR <= %.2f dB): test error %.2f %% (one draw %.2f %%, posterior means %.2f %%)",
			100*f, removed, 10*math.Log10(thr), 100*s.Error, 100*s.ErrorSingle, 100*mw)
	}
	dir := rd.Stage
	if err := atomicio.WriteFile(join(dir, "prune.csv"), func(w io.Writer) error {
		fmt.Fprintln(w, "fraction,removed,snr_threshold_db,test_error,test_error_single,test_error_mean_weights,test_nll,test_ece")
		for _, r := range rows {
			if _, err := fmt.Fprintf(w, "%g,%d,%.4f,%.6g,%.6g,%.6g,%.6g,%.6g\n", r.frac, r.removed, r.thresholdDB, r.s.Error, r.s.ErrorSingle, r.meanW, r.s.NLL, r.s.ECE); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	db := make([]float64, 0, len(snr))
	for _, s := range snr {
		if s > 0 {
			db = append(db, 10*math.Log10(s))
		}
	}
	// The lowest 0.5 % (a long tail down to -60 dB) would squeeze the rest.
	slices.Sort(db)
	if len(db) == 0 {
		return fmt.Errorf("prune: --model %s: every weight's mean is 0 (SNR 0): nothing to draw", model)
	}
	lo := db[len(db)/200]
	db = slices.DeleteFunc(db, func(v float64) bool { return v < lo })
	ext := "." + format
	if err := interrupt.EnterStage(ctx, "figures"); err != nil {
		return err
	}
	if err := viz.Densities(join(dir, "snr"+ext), fmt.Sprintf("Signal-to-noise ratio |mu|/sigma of the %d weights (lowest 0.5 %% not shown)", len(snr)), "SNR, dB", 200,
		viz.Histogram{Name: "weights", Values: db, Color: viz.Blue}); err != nil {
		return err
	}
	xs, ys, ym := []float64{0}, []float64{base.Error}, []float64{baseMean}
	for _, r := range rows[1:] {
		xs, ys, ym = append(xs, r.frac), append(ys, r.s.Error), append(ym, r.meanW)
	}
	if err := viz.PruneErrors(join(dir, "prune_error"+ext), viz.PruneFigure{Fractions: xs, Errors: ys, MeanWeights: ym, Samples: samples, Reference: base.Error,
		Title: fmt.Sprintf("Pruning by SNR: test error (%d draws)", samples)}); err != nil {
		return err
	}
	if err := interrupt.EnterStage(ctx, "replacing --out"); err != nil {
		return err
	}
	if err := rd.Commit(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "fraction removed snr_threshold_db test_error test_error_single test_error_mean_weights")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%-8g %7d %16.2f %10.4f %17.4f %23.4f\n", r.frac, r.removed, r.thresholdDB, r.s.Error, r.s.ErrorSingle, r.meanW)
	}
	fmt.Fprintf(stdout, "wrote %s/{prune.csv,snr%s,prune_error%s}\n", out, ext, ext)
	return nil
}

func taskName(t string) string {
	if t == "" {
		return "a regression model"
	}
	return "task " + t
}

// parseFractions reads --fractions: comma-separated, each in (0, 1),
// strictly increasing.
func parseFractions(s string) ([]float64, error) {
	var fr []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		switch {
		case err != nil:
			return nil, usagef("--fractions %q: %q is not a number", s, f)
		case !(v > 0 && v < 1):
			return nil, usagef("--fractions %q: %v is outside (0, 1)", s, v)
		case len(fr) > 0 && v <= fr[len(fr)-1]:
			return nil, usagef("--fractions %q: not increasing (%v after %v)", s, v, fr[len(fr)-1])
		}
		fr = append(fr, v)
	}
	return fr, nil
}
