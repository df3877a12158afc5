package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

// Regression is `bbb train`'s regression job: it trains a network on one
// input set, samples its predictive bands and writes the run's files. The
// zero value trains the seed's network on the seed's curve.
type Regression struct {
	// Train is the network and how it trains; its zero fields are
	// train.Config's defaults. Samples is the number of predictive passes
	// for the bands. Graph.Inputs must match Data (1 for the curve).
	Train train.Config
	// Data is the data in its own units: figures, metrics and predictions
	// are in them. Empty: the seed's curve of Train.Data, drawn with
	// Train.Seed (data.MakeCurve).
	Data data.Set
	// Scaler, if not nil, standardises Data for the network (fit on the
	// training rows: data.FitScaler); the bands are brought back to the
	// data's units, and saved models hold it.
	Scaler *data.Scaler
	// XNames and YName name the input and target columns (pred_val.csv's
	// header, figures' labels, saved models); default "x" and "y".
	XNames []string
	YName  string
	// DataFile, ValFile and ValSplit say where Data came from, for
	// summary.json: the CSV files (absolute paths) and, without ValFile,
	// the share of DataFile held out for validation. DataFile "": the
	// summary names no data file (the seed's curve).
	DataFile, ValFile string
	ValSplit          float64
	// NoTrainBand skips the predictive band over the training inputs
	// (its figure and its metrics).
	NoTrainBand bool
	// Resume, if not nil, is a saved model of this job to continue up to
	// Train.Epochs: its parameters, Adam state and loss reports.
	Resume *modelfile.File

	Outputs
	Info
	Hooks
}

// Run trains, evaluates and writes the run's files into dir (an existing
// folder) and returns the summary written to summary.json. Progress lines
// (loss reports, the predictive passes, figures) go to progress unless it
// is nil.
//
// A run that diverged returns an error wrapping train.ErrDiverged after
// writing losses.csv, layers.csv and graph.dot: they say where it went
// wrong. A cancelled ctx stops the run at the next stage or epoch, and
// returns its error.
func (r Regression) Run(ctx context.Context, dir string, progress io.Writer) (train.Summary, error) {
	start := time.Now()
	if err := r.enter(ctx, "set-up"); err != nil {
		return train.Summary{}, err
	}
	cfg := r.Train.WithDefaults()
	inputs := cfg.Graph.Inputs
	// raw is in the data's units (figures, metrics); fit is what the
	// network sees (standardised with a Scaler).
	raw, fit := r.Data, r.Data
	if raw.Train.Len() == 0 && raw.Val.Len() == 0 {
		var err error
		if raw, err = data.MakeCurve(cfg.Data, cfg.Seed); err != nil {
			return train.Summary{}, err
		}
		fit = raw
	}
	if r.Scaler != nil {
		fit = data.Set{Train: r.Scaler.Apply(raw.Train), Val: r.Scaler.Apply(raw.Val)}
	}
	xNames, yName := r.XNames, r.YName
	if xNames == nil {
		xNames = []string{"x"}
	}
	if yName == "" {
		yName = "y"
	}
	if len(xNames) != inputs {
		return train.Summary{}, fmt.Errorf("job: %d input names for %d inputs", len(xNames), inputs)
	}
	unscale := func(b train.Bands) train.Bands {
		if r.Scaler != nil {
			b.Unscale(*r.Scaler)
		}
		return b
	}
	tr, err := train.NewTrainer(cfg, fit)
	if err != nil {
		return train.Summary{}, err
	}
	defer tr.Close()
	if err := atomicio.WriteFile(filepath.Join(dir, "graph.dot"), func(w io.Writer) error {
		_, err := io.WriteString(w, tr.Net.DOT())
		return err
	}); err != nil {
		return train.Summary{}, err
	}

	prog := newProgress(progress, cfg.Epochs)
	if err := r.enter(ctx, "training"); err != nil {
		return train.Summary{}, err
	}
	stopProfile, err := r.profile()
	if err != nil {
		return train.Summary{}, err
	}
	defer stopProfile(false) // (an early return: a failed run writes no profile)
	t0 := time.Now()
	var reports []train.Report // all of the run's, those before Resume too
	startEpoch := 0
	if c := r.Resume; c != nil {
		if reports, err = tr.Restore(c); err != nil {
			return train.Summary{}, &InputError{Input: "Resume", Err: err}
		}
		startEpoch = c.Model.Epoch
		prog.epoch0 = startEpoch
	}
	meta := r.Info.withNetwork(cfg.Graph)
	meta.Seed, meta.Network.Inputs, meta.XNames, meta.YName, meta.Scaler = cfg.Seed, inputs, xNames, yName, r.Scaler
	var saveErr error
	layers := &layerLog{net: tr.Net}
	if c := r.Resume; c != nil && len(c.Layers) < len(tr.Net.Layers)*len(c.Reports) {
		prog.logf("the model file lacks the layer reports of its first %d reports (an older bbb): so does layers.csv", len(c.Reports)-len(c.Layers)/len(tr.Net.Layers))
	}
	if c := r.Resume; c != nil { // the reports before it (none in older files)
		if err := c.CheckLayers(len(tr.Net.Layers)); err != nil { // (a File built by hand: the reader checked its own)
			return train.Summary{}, &InputError{Input: "Resume", Err: err}
		}
		for _, l := range c.Layers {
			layers.stats = append(layers.stats, train.LayerStat(l))
		}
		if len(reports) < len(c.Reports) && len(layers.stats) >= len(tr.Net.Layers) { // (Restore dropped the last report: its layers too)
			layers.stats = layers.stats[:len(layers.stats)-len(tr.Net.Layers)]
		}
	}
	onReport := layers.hook(prog.report)
	_, runErr := tr.Run(ctx, func(rep train.Report) {
		onReport(rep)
		reports = append(reports, rep)
		if k := r.CheckpointEvery; k > 0 && rep.Epoch%k == 0 && rep.Epoch < cfg.Epochs && saveErr == nil {
			saveErr = writeModel(tr, meta, reports, layers.stats, r.Save)
		}
	})
	trainSeconds := time.Since(t0).Seconds()
	runErr = errors.Join(runErr, stopProfile(true))
	// Losses so far are worth keeping even when the run failed.
	if err := train.WriteLosses(filepath.Join(dir, "losses.csv"), reports); err != nil {
		return train.Summary{}, err
	}
	if err := train.WriteLayers(filepath.Join(dir, "layers.csv"), layers.stats); err != nil || layers.err != nil {
		return train.Summary{}, errors.Join(err, layers.err)
	}
	if runErr == nil && saveErr == nil && r.Save != "" {
		saveErr = r.saveFinal(tr, meta, reports, layers.stats)
	}
	if runErr == nil && saveErr != nil {
		runErr = &InputError{Input: "Save", Err: saveErr}
	}
	if runErr != nil {
		if ctx.Err() != nil {
			r.stopped(fmt.Sprintf("training (after epoch %d of %d)", tr.Epoch(), cfg.Epochs))
		}
		return train.Summary{}, runErr
	}

	ext := r.ext()
	t1 := time.Now()
	sampler := train.NewSampler(tr.Net, cfg.Workers) // one predictive machine for both bands
	sampler.Ctx = ctx
	sampler.Quantiles = predValQuantiles // pred_val.csv: what bbb predict writes for these inputs
	defer sampler.Close()
	if err := r.enter(ctx, "predictive sampling (validation inputs)"); err != nil {
		return train.Summary{}, err
	}
	prog.logf("predictive: %d passes over %d validation inputs ...", cfg.Samples, raw.Val.Len())
	valBands, err := sampler.Score(fit.Val.X, fit.Val.Y, cfg.Samples, cfg.Seed)
	if err != nil {
		return train.Summary{}, err
	}
	valBands = unscale(valBands)
	sampler.Quantiles = nil
	if err := writePredVal(filepath.Join(dir, "pred_val.csv"), meta, raw.Val, valBands, tr.Net); err != nil {
		return train.Summary{}, err
	}
	predictSeconds := time.Since(t1).Seconds()
	prog.logf("predictive: %d passes over %d validation inputs in %.2fs", cfg.Samples, raw.Val.Len(), predictSeconds)
	valM := metrics.ScoreBand(valBands.Mean, valBands.Q05, valBands.Q95, raw.Val.Y, raw.Val.YTrue)

	var trainBands train.Bands
	var trainM metrics.BandScores
	var predictTrainSeconds float64
	if !r.NoTrainBand {
		if err := r.enter(ctx, "predictive sampling (training inputs)"); err != nil {
			return train.Summary{}, err
		}
		prog.logf("predictive: %d passes over %d training inputs ...", cfg.Samples, raw.Train.Len())
		t2 := time.Now()
		if trainBands, err = sampler.Bands(fit.Train.X, cfg.Samples, cfg.Seed); err != nil {
			return train.Summary{}, err
		}
		trainBands = unscale(trainBands)
		predictTrainSeconds = time.Since(t2).Seconds()
		prog.logf("predictive: %d passes over %d training inputs in %.2fs", cfg.Samples, raw.Train.Len(), predictTrainSeconds)
		trainM = metrics.ScoreBand(trainBands.Mean, trainBands.Q05, trainBands.Q95, raw.Train.Y, raw.Train.YTrue)
	}

	var figures []string
	if !r.NoFigures {
		figs := []figure{
			{"data" + ext, func(p string) error {
				x, y, yt := mergeSplits(raw)
				return viz.Data(p, thin(x), thin(y), thin(yt))
			}},
			{"band_val" + ext, func(p string) error {
				return viz.Band(p, bandFigure("Uncertainty visualisation (validation data)", raw.Val, valBands))
			}},
			{"losses" + ext, func(p string) error {
				ep, trl, vl := lossSeries(reports)
				return viz.Losses(p, viz.LossFigure{EveryTrain: tr.TrainLosses, Epochs: ep, Train: trl, Val: vl})
			}},
		}
		figs = append(figs, figure{"calibration" + ext, func(p string) error {
			return viz.Calibration(p, "Calibration (validation data, noise included)", metrics.CalibrationLevels, metrics.Calibration(valBands.PIT, metrics.CalibrationLevels))
		}})
		if !r.NoTrainBand {
			figs = append(figs, figure{"band_train" + ext, func(p string) error {
				return viz.Band(p, bandFigure("Uncertainty visualisation (training data)", raw.Train, trainBands))
			}})
		}
		if inputs > 1 {
			figs = observedFigures(raw, yName, ext, valBands, trainBands, r.NoTrainBand, figs[2])
		}
		for _, fig := range figs {
			if err := r.enter(ctx, "figures ("+fig.name+")"); err != nil {
				return train.Summary{}, err
			}
			prog.logf("figures: %s", fig.name)
			if err := fig.draw(filepath.Join(dir, fig.name)); err != nil {
				return train.Summary{}, err
			}
			figures = append(figures, fig.name)
		}
	}

	last := reports[len(reports)-1]
	s := train.Summary{
		Preset: r.Preset, Dtype: r.Dtype, Device: r.Device, DeviceName: r.DeviceName, Seed: cfg.Seed,
		Epochs: cfg.Epochs, TrainSeconds: trainSeconds, SecondsPerEpoch: trainSeconds / float64(cfg.Epochs-startEpoch),
		TrainLossPerPoint: last.TrainLoss, ValLossPerPoint: last.ValLoss,
		Samples: cfg.Samples, PredictSeconds: predictSeconds, PredictTrainSeconds: predictTrainSeconds,
		ValRMSETrue: valM.RMSETrue, ValRMSENoisy: valM.RMSENoisy, ValCoverage90: valM.Coverage90, ValBandWidth: valM.BandWidth,
		TrainRMSETrue: trainM.RMSETrue, TrainCoverage90: trainM.Coverage90,
		Figures: figures, Layers: cfg.Graph.Layers, Hidden: cfg.Graph.Hidden,
		TrainPoints: raw.Train.Len(), ValPoints: raw.Val.Len(), LearningRate: cfg.LearningRate,
		LRMilestones: cfg.LRSchedule.Milestones, LRGamma: lrGamma(cfg.LRSchedule),
		Ops: r.Ops, GEMM: r.GEMM, Workers: cfg.Workers,
		TotalSeconds: time.Since(start).Seconds(), PeakRSSMiB: peakRSSMiB(), Build: r.Build,
	}
	if r.DataFile != "" {
		s.Data, s.XCols, s.YCol = r.DataFile, r.XNames, r.YName
		if r.ValFile != "" {
			s.Val = r.ValFile
		} else {
			s.ValSplit = r.ValSplit
		}
	}
	if err := r.enter(ctx, "summary"); err != nil {
		return train.Summary{}, err
	}
	s.BatchSize, s.MCSamples, s.Estimator = cfg.Batch.Size, max(1, cfg.MCSamples), cfg.Graph.Estimator.String()
	if cfg.Batch.Size > 0 {
		s.KLWeight = cfg.Batch.Weighting.String()
	}
	if err := addScores(&s, tr.Net, valBands); err != nil {
		return train.Summary{}, err
	}
	if err := train.WriteSummary(filepath.Join(dir, "summary.json"), s); err != nil {
		return train.Summary{}, err
	}
	return s, nil
}

// figure is one file of a run's figures.
type figure struct {
	name string
	draw func(path string) error
}

func bandFigure(title string, s data.Split, b train.Bands) viz.BandFigure {
	return viz.BandFigure{Title: title, X: thin(s.X), Y: thin(s.Y), Mean: thin(b.Mean), Q05: thin(b.Q05), Q95: thin(b.Q95), Truth: thin(s.YTrue),
		TotalQ05: thin(b.TotalQ05), TotalQ95: thin(b.TotalQ95)}
}

// observedFigures are the figures of a run with several inputs: predicted
// against observed targets for each split, and the losses.
func observedFigures(raw data.Set, yName, ext string, val, tr train.Bands, skipTrain bool, losses figure) []figure {
	obs := func(title string, s data.Split, b train.Bands) func(string) error {
		return func(p string) error {
			return viz.Observed(p, viz.ObservedFigure{Title: title, Observed: s.Y, Mean: b.Mean, Q05: b.Q05, Q95: b.Q95,
				XLabel: "observed " + yName, YLabel: "predicted " + yName + " (mean, 5-95% interval)"})
		}
	}
	figs := []figure{{"observed_val" + ext, obs("Predicted vs observed (validation data)", raw.Val, val)}, losses}
	if !skipTrain {
		figs = append(figs, figure{"observed_train" + ext, obs("Predicted vs observed (training data)", raw.Train, tr)})
	}
	return figs
}

// thin keeps every k-th value so that at most viz.MaxPoints are drawn
// (figures stay fast at any data size); nil stays nil.
func thin(v []float64) []float64 {
	k := (len(v) + viz.MaxPoints - 1) / viz.MaxPoints
	if k <= 1 {
		return v
	}
	out := make([]float64, 0, len(v)/k+1)
	for i := 0; i < len(v); i += k {
		out = append(out, v[i])
	}
	return out
}

// mergeSplits returns all points sorted by x (both splits are sorted);
// yt is nil where the curve is unknown.
func mergeSplits(d data.Set) (x, y, yt []float64) {
	a, b := d.Train, d.Val
	i, j := 0, 0
	for i < a.Len() || j < b.Len() {
		if j >= b.Len() || (i < a.Len() && a.X[i] <= b.X[j]) {
			x, y = append(x, a.X[i]), append(y, a.Y[i])
			if a.YTrue != nil {
				yt = append(yt, a.YTrue[i])
			}
			i++
		} else {
			x, y = append(x, b.X[j]), append(y, b.Y[j])
			if b.YTrue != nil {
				yt = append(yt, b.YTrue[j])
			}
			j++
		}
	}
	return x, y, yt
}

func lossSeries(rs []train.Report) (ep, tr, val []float64) {
	for _, r := range rs {
		ep, tr, val = append(ep, float64(r.Epoch)), append(tr, r.TrainLoss), append(val, r.ValLoss)
	}
	return ep, tr, val
}
