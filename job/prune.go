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

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

// Prune is `bbb prune`, the paper's Table 2 (Blundell et al. 2015,
// §5.1): it removes the weights of lowest signal-to-noise ratio |mu|/sigma
// from a trained classifier, share after share, and measures the test
// error after each.
type Prune struct {
	// Net is the trained classifier, its parameters set (modelfile.File
	// .SetParams). Run prunes it in place: it ends with the largest
	// share removed.
	Net *graph.Network
	// Data holds the test images (Test and Classes; Train and Val are
	// not used).
	Data data.ClassData
	// Fractions are the shares of the weights to remove, increasing, each
	// in (0, 1); each must remove some weights and keep some. Pruning is
	// cumulative: each step removes the next-lowest SNRs, the same weights
	// a fresh prune would.
	Fractions []float64
	// Samples is the number of weight draws whose mean softmax gives each
	// test error (default 100), Seed their seed (the draws use Seed+1, as
	// the test error of Classification does: bbb's default Seed is the
	// model's training seed).
	Samples int
	Seed    uint64
	// Format is the figures' format: "png" (default), "svg" or "pdf";
	// NoFigures writes none.
	Format    string
	NoFigures bool

	Hooks
}

// A PruneStep is one row of prune.csv: the share removed, the number of
// weights removed, the largest SNR removed in dB (-Inf for none), the
// test scores of the mean softmax of Samples draws, and the test error at
// the posterior means (the paper's, MeanWeightsError).
type PruneStep struct {
	Fraction         float64
	Removed          int
	ThresholdDB      float64
	Scores           metrics.ClassScores
	MeanWeightsError float64
}

// ErrZeroSNR says that every weight's mean is 0 (SNR 0): there is no
// signal-to-noise figure to draw.
var ErrZeroSNR = errors.New("every weight's mean is 0 (SNR 0): nothing to draw")

// Run measures the test error before pruning and after each share, and
// writes prune.csv, snr.FORMAT and prune_error.FORMAT into dir (an
// existing folder). It returns the rows of prune.csv, the first that of
// no pruning. Progress lines go to progress unless it is nil.
//
// Fractions that are not increasing shares that remove some weights and
// keep some are an *InputError for "Fractions"; a model whose weights all
// have mean 0 returns ErrZeroSNR after writing prune.csv. A cancelled ctx
// stops the run at the next stage or weight draw, and returns its error.
func (p Prune) Run(ctx context.Context, dir string, progress io.Writer) ([]PruneStep, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	net, set := p.Net, p.Data
	samples := p.Samples
	if samples == 0 {
		samples = 100
	}
	logf := func(format string, a ...any) {
		if progress != nil {
			fmt.Fprintf(progress, format+"\n", a...)
		}
	}
	snr, err := train.WeightSNR(net)
	if err != nil {
		return nil, err
	}
	cl, err := train.NewClassifier(net, set.Test.Len())
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	cl.Ctx = ctx
	labels := data.Labels(set.Test, set.Classes)
	score := func() (metrics.ClassScores, error) {
		mean, first, err := cl.Probs(net, set.Test.X, samples, p.Seed+1)
		if err != nil {
			return metrics.ClassScores{}, err
		}
		return metrics.ScoreClasses(mean, first, labels, set.Classes)
	}
	if err := p.enter(ctx, "test error (no pruning)"); err != nil {
		return nil, err
	}
	base, err := score()
	if err != nil {
		return nil, err
	}
	baseMean, err := MeanWeightsError(cl, net, set.Test.X, labels, set.Classes)
	if err != nil {
		return nil, err
	}
	logf("prune: %d weights; no pruning: test error %.2f %% (%d images, %d draws; posterior means %.2f %%)", len(snr), 100*base.Error, set.Test.Len(), samples, 100*baseMean)
	rows := []PruneStep{{Fraction: 0, Removed: 0, ThresholdDB: math.Inf(-1), Scores: base, MeanWeightsError: baseMean}}
	for _, f := range p.Fractions {
		if err := p.enter(ctx, fmt.Sprintf("pruning %g", f)); err != nil {
			return nil, err
		}
		removed, thr, err := train.Prune(net, f)
		if err != nil {
			return nil, err
		}
		s, err := score()
		if err != nil {
			return nil, err
		}
		mw, err := MeanWeightsError(cl, net, set.Test.X, labels, set.Classes)
		if err != nil {
			return nil, err
		}
		rows = append(rows, PruneStep{Fraction: f, Removed: removed, ThresholdDB: 10 * math.Log10(thr), Scores: s, MeanWeightsError: mw})
		logf("prune: %5.1f %% removed (%d weights, SNR <= %.2f dB): test error %.2f %% (one draw %.2f %%, posterior means %.2f %%)",
			100*f, removed, 10*math.Log10(thr), 100*s.Error, 100*s.ErrorSingle, 100*mw)
	}
	if err := atomicio.WriteFile(filepath.Join(dir, "prune.csv"), func(w io.Writer) error {
		fmt.Fprintln(w, "fraction,removed,snr_threshold_db,test_error,test_error_single,test_error_mean_weights,test_nll,test_ece")
		for _, r := range rows {
			s := r.Scores
			if _, err := fmt.Fprintf(w, "%g,%d,%.4f,%.6g,%.6g,%.6g,%.6g,%.6g\n", r.Fraction, r.Removed, r.ThresholdDB, s.Error, s.ErrorSingle, r.MeanWeightsError, s.NLL, s.ECE); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if p.NoFigures {
		return rows, nil
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
		return nil, ErrZeroSNR
	}
	lo := db[len(db)/200]
	db = slices.DeleteFunc(db, func(v float64) bool { return v < lo })
	ext := ".png"
	if p.Format != "" {
		ext = "." + strings.ToLower(p.Format)
	}
	if err := p.enter(ctx, "figures"); err != nil {
		return nil, err
	}
	if err := viz.Densities(filepath.Join(dir, "snr"+ext), fmt.Sprintf("Signal-to-noise ratio |mu|/sigma of the %d weights (lowest 0.5 %% not shown)", len(snr)), "SNR, dB", 200,
		viz.Histogram{Name: "weights", Values: db, Color: viz.Blue}); err != nil {
		return nil, err
	}
	xs, ys, ym := []float64{0}, []float64{base.Error}, []float64{baseMean}
	for _, r := range rows[1:] {
		xs, ys, ym = append(xs, r.Fraction), append(ys, r.Scores.Error), append(ym, r.MeanWeightsError)
	}
	if err := viz.PruneErrors(filepath.Join(dir, "prune_error"+ext), viz.PruneFigure{Fractions: xs, Errors: ys, MeanWeights: ym, Samples: samples, Reference: base.Error,
		Title: fmt.Sprintf("Pruning by SNR: test error (%d draws)", samples)}); err != nil {
		return nil, err
	}
	return rows, nil
}

// Check refuses a job Run would refuse, before the test images are
// loaded: no network (an *InputError for "Net"), or Fractions that are
// not increasing shares in (0, 1) that remove some of Net's weights and
// keep some (an *InputError for "Fractions").
func (p Prune) Check() error {
	if p.Net == nil {
		return &InputError{Input: "Net", Err: errors.New("no network")}
	}
	if err := checkFractions(p.Net, p.Fractions); err != nil {
		return &InputError{Input: "Fractions", Err: err}
	}
	return nil
}

// checkFractions refuses shares that are not increasing, lie outside
// (0, 1), or remove none or all of net's weights.
func checkFractions(net *graph.Network, fr []float64) error {
	if len(fr) == 0 {
		return errors.New("none given")
	}
	nw := Weights(net)
	for i, f := range fr {
		switch {
		case !(f > 0 && f < 1):
			return fmt.Errorf("%v is outside (0, 1)", f)
		case i > 0 && f <= fr[i-1]:
			return fmt.Errorf("not increasing (%v after %v)", f, fr[i-1])
		}
		if k := int(math.Round(f * float64(nw))); k == 0 || k == nw {
			return fmt.Errorf("%v of the model's %d weights removes %d; want a share that removes some and keeps some", f, nw, k)
		}
	}
	return nil
}
