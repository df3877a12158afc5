package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/rundir"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

type trainFlags struct {
	modelFlags
	preset                         string
	epochs, samples, reportEvery   int
	out, format, cpuProfile        string
	quiet, skipTrainBand, noFigure bool
	df                             dataFlags  // --data and its options (data.go)
	mnist                          mnistFlags // --preset mnist's data (classify.go)
	mio                            modelIO    // --save, --checkpoint-every, --resume (model.go)
	runFlags                       map[string]string
	csv                            *csvRun      // loaded --data, nil for the seed's curve
	maxMemory                      memory.Limit // --max-memory (memory.go)
}

// presets fill the flags the user did not set.
var presets = map[string]map[string]string{
	"seed":  {},                                                    // the seed program's settings (the flag defaults)
	"quick": {"epochs": "300", "samples": "100", "points": "2000"}, // a smoke run in seconds
	// The seed's data with a learned noise scale (starting at 1): a total band that is calibrated.
	"calibrated": {"likelihood": "learned", "likelihood-sigma": "1"},
	// The paper's MNIST model (Blundell et al. 2015, §5.1): 784-400-400-10
	// ReLU, scale-mixture prior, minibatches of 128 with the KL weighted 1/M,
	// on every core (classify.go).
	// The rate drops tenfold after epochs 40 and 52: test error 1.61 % against
	// 1.86 % at a constant rate (3 seeds, README).
	"mnist": {"layers": "3", "hidden": "400", "batch-size": "128", "prior": "mixture", "lr": "0.001",
		"lr-milestones": "40,52", "epochs": "60", "samples": "100", "threads": "0", "report-every": "1"},
}

// flagSet registers train's flags into a new flag set (bbb sweep asks it
// which flags exist).
func (f *trainFlags) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	f.register(fs)
	fs.StringVar(&f.preset, "preset", "seed", "seed (the seed program's settings), quick (300 epochs, 2000 points, 100 samples), calibrated (--likelihood learned --likelihood-sigma 1) or mnist (the paper's MNIST classifier: 2 hidden layers of --hidden 400, mixture prior, batches of 128, 60 epochs with the rate lowered tenfold after 40 and 52, every core); explicit flags win")
	fs.IntVar(&f.epochs, "epochs", 5000, "training epochs (full-batch steps)")
	fs.IntVar(&f.samples, "samples", 1000, "stochastic passes for the predictive bands")
	fs.IntVar(&f.reportEvery, "report-every", 500, "epochs between train/validation loss reports")
	fs.StringVar(&f.out, "out", "out", "output directory")
	fs.StringVar(&f.format, "format", "png", "figure format: png, svg or pdf")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a pprof CPU profile of the training loop to this file")
	fs.BoolVar(&f.quiet, "q", false, "no progress on stderr")
	fs.BoolVar(&f.skipTrainBand, "no-train-band", false, "skip the 1000-pass band over the training inputs (the seed draws it)")
	fs.BoolVar(&f.noFigure, "no-figures", false, "write no figures")
	f.df.register(fs)
	f.mio.register(fs)
	f.mnist.register(fs, true)
	registerMaxMemory(fs, &f.maxMemory)
	return fs
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f trainFlags
	fs := f.flagSet()
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	explicit := explicitFlags(fs)
	if f.mio.resume != "" && f.preset != "mnist" { // (--preset mnist refuses --resume)
		c, err := readModel("--resume", f.mio.resume)
		if err != nil {
			return err
		}
		if c.Meta.Task != "" {
			return usagef("--resume %s: a %s model (train --preset mnist): --resume continues regression runs only", f.mio.resume, c.Meta.Task)
		}
		// The run goes on under the preset it was trained with.
		if p, ok := c.Meta.Flags["preset"]; ok {
			if explicit["preset"] && p != f.preset {
				return usagef("--preset %s: %s was trained with --preset %s", f.preset, f.mio.resume, p)
			}
			f.preset = p
		}
		f.mio.ckpt = c
	}
	if err := applyPreset(fs, f.preset); err != nil {
		return err
	}
	if err := f.checkMilestones(explicit); err != nil {
		return err
	}
	// The paths as typed, before any file is read (check does it again
	// with the data flags --resume restores).
	if err := checkPlan(f.ioPlan()); err != nil {
		return err
	}
	if f.preset == "mnist" {
		if err := checkFlagDeps(fs, explicit); err != nil {
			return err
		}
		f.runFlags = recordFlags(fs)
		return runClassify(ctx, f, stdout, stderr)
	}
	if c := f.mio.ckpt; c != nil {
		if err := applyFlags(fs, c.Meta.Flags, explicit, f.mio.resume); err != nil {
			return err
		}
		if _, ok := c.Meta.Flags["preset"]; !ok {
			// A checkpoint that does not record its preset: --preset must
			// agree with the flags it was trained with, or the summary
			// would name a preset that did not run.
			for _, k := range slices.Sorted(maps.Keys(presets[f.preset])) { // (in order: one message run after run)
				if fl, v := fs.Lookup(k), presets[f.preset][k]; fl != nil && fl.Value.String() != v && !explicit[k] {
					return usagef("--preset %s: %s was trained with --%s %s, not the preset's %s", f.preset, f.mio.resume, k, fl.Value.String(), v)
				}
			}
		}
		if c.Meta.Epoch >= f.epochs {
			return usagef("--epochs %d: %s has trained %d epochs already (--epochs is the total)", f.epochs, f.mio.resume, c.Meta.Epoch)
		}
	}
	if err := checkFlagDeps(fs, explicit); err != nil { // (the values --resume restored included)
		return err
	}
	f.runFlags = recordFlags(fs)
	if err := f.check(); err != nil {
		return err
	}
	var err error
	if f.csv, err = f.df.load(f.seed); err != nil {
		return err
	}
	if c := f.mio.ckpt; c != nil && f.csv != nil && (c.Meta.Scaler == nil || !slices.Equal(c.Meta.Scaler.XMean, f.csv.scaler.XMean) ||
		!slices.Equal(c.Meta.Scaler.XStd, f.csv.scaler.XStd) || c.Meta.Scaler.YMean != f.csv.scaler.YMean || c.Meta.Scaler.YStd != f.csv.scaler.YStd) {
		return usagef("--resume %s: --data %s is not the data it was trained on (its training rows' means and standard deviations differ)", f.mio.resume, f.df.data)
	}
	if f.csv != nil {
		rows := f.csv.raw.Train.Len() + f.csv.raw.Val.Len()
		if err := checkMemory(memory.Sizes{Points: rows, Hidden: f.hidden, Layers: f.layers,
			Samples: f.samples, Workers: f.workers, Inputs: f.csv.inputs(), DtypeBytes: dtypeBytes(f.dtype),
			PointsFrom: fmt.Sprintf("--data %s (%d rows)", f.df.data, rows)}, f.maxMemory); err != nil {
			return err
		}
	}
	if checkOnly(ctx) {
		return nil
	}
	rd, err := openRunDir("--out", f.out)
	if err != nil {
		return err
	}
	defer rd.Abort() // unless committed: --out keeps the previous run
	return trainJob(ctx, f, rd, stdout, stderr)
}

func applyPreset(fs *flag.FlagSet, name string) error {
	p, ok := presets[name]
	if !ok {
		return usagef("--preset %q: want seed, quick, calibrated or mnist", name)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for k, v := range p {
		if !set[k] {
			if err := fs.Set(k, v); err != nil {
				return usagef("--preset %s: %v", name, err)
			}
		}
	}
	return nil
}

// checkMilestones refuses a milestone given on the command line that the
// run never reaches (a preset's milestones past a shorter --epochs simply
// do not apply).
func (f *trainFlags) checkMilestones(explicit map[string]bool) error {
	ms, err := train.ParseMilestones(f.lrMilestones)
	if err != nil || !explicit["lr-milestones"] || len(ms) == 0 || ms[len(ms)-1] < f.epochs {
		return nil // (a parse error is check's)
	}
	return usagef("--lr-milestones %q: epoch %d is not before the last epoch (--epochs %d), so that rate would never be used", f.lrMilestones, ms[len(ms)-1], f.epochs)
}

// lrGamma is the schedule's factor for a summary: 0 (omitted) when the rate
// is constant.
func lrGamma(s train.LRSchedule) float64 {
	if len(s.Milestones) == 0 {
		return 0
	}
	return s.Gamma
}

func (f *trainFlags) check() error {
	switch {
	case f.epochs <= 0:
		return usagef("--epochs %d: need a value > 0", f.epochs)
	case f.samples < 2:
		return usagef("--samples %d: need at least 2", f.samples)
	case f.reportEvery <= 0:
		return usagef("--report-every %d: need a value > 0", f.reportEvery)
	}
	if err := f.modelFlags.check(); err != nil {
		return err
	}
	if f.mio.resume != "" && (f.paper.batchSize > 0 || f.paper.mcSamples > 1) {
		// A checkpoint holds the epsilon streams, not the minibatch shuffle.
		return usagef("--resume %s: not with --batch-size or --mc-samples (the checkpoint does not hold their random state)", f.mio.resume)
	}
	if err := checkFormat(&f.format); err != nil {
		return err
	}
	if f.df.data == "" { // a --data run is checked once its rows are known (runTrain)
		if err := checkMemory(memory.Sizes{Points: f.points, Hidden: f.hidden, Layers: f.layers, Samples: f.samples,
			Workers: f.workers, Inputs: 1, DtypeBytes: dtypeBytes(f.dtype)}, f.maxMemory); err != nil {
			return err
		}
	}
	return f.checkOutputs()
}

// checkOutputs checks --checkpoint-every, --save and --cpuprofile (train
// and train --preset mnist).
func (f *trainFlags) checkOutputs() error {
	switch {
	case f.mio.checkpointEvery < 0:
		return usagef("--checkpoint-every %d: need a value >= 0", f.mio.checkpointEvery)
	case f.mio.checkpointEvery > 0 && f.mio.checkpointEvery%f.reportEvery != 0:
		return usagef("--checkpoint-every %d: need a multiple of --report-every %d", f.mio.checkpointEvery, f.reportEvery)
	}
	return checkPlan(f.ioPlan())
}

// ioPlan lists train's inputs and outputs (rundir.Plan): --save may
// rewrite the --resume file it continues.
func (f *trainFlags) ioPlan() *rundir.Plan {
	p := newPlan()
	p.In("--data", f.df.data)
	p.In("--val", f.df.val)
	p.In("--resume", f.mio.resume)
	p.In("--from", f.mnist.from)
	p.InDir("--mnist-dir", f.mnist.dir)
	p.Rewrites("--save", f.mio.save, "--resume")
	p.Out("--cpuprofile", f.cpuProfile)
	p.OutDir("--out", f.out)
	return p
}

// startProfile starts --cpuprofile (if set) and returns the function that
// stops it and, if write, writes the file atomically (into the staged run
// when it names a file in --out); the first call decides. An interrupted
// run writes none: the previous profile stays, as --out does.
func (f *trainFlags) startProfile(ctx context.Context, stage string) (stop func(write bool) error, err error) {
	if f.cpuProfile == "" {
		return func(bool) error { return nil }, nil
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, err
	}
	stopped := false
	return func(write bool) error {
		if stopped {
			return nil
		}
		stopped = true
		pprof.StopCPUProfile()
		if _, ok := interrupt.Cause(ctx); ok || !write {
			return nil
		}
		if err := atomicio.WriteFile(savePath(f.cpuProfile, f.out, stage), func(w io.Writer) error { _, err := buf.WriteTo(w); return err }); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

func trainJob(ctx context.Context, f trainFlags, rd *runDir, stdout, stderr io.Writer) error {
	dir := rd.Stage // every file goes here; Commit swaps it in for --out
	start := time.Now()
	if err := interrupt.EnterStage(ctx, "set-up"); err != nil {
		return err
	}
	cfg := f.trainConfig()
	cfg.Epochs, cfg.Samples, cfg.ReportEvery = f.epochs, f.samples, f.reportEvery
	// raw is in the data's units (figures, metrics); fit is what the
	// network sees (standardised for --data).
	var raw, fit data.Set
	if f.csv != nil {
		raw, fit = f.csv.raw, f.csv.scaled
		cfg.Graph.Inputs = f.csv.inputs()
	} else {
		var err error
		if raw, err = data.MakeCurve(cfg.Data, cfg.Seed); err != nil {
			return usagef("%v", err)
		}
		fit = raw
	}
	unscale := func(b train.Bands) train.Bands {
		if f.csv != nil {
			b.Unscale(f.csv.scaler)
		}
		return b
	}
	if err := f.paper.checkBatch(fit); err != nil {
		return err
	}
	tr, err := train.NewTrainer(cfg, fit)
	if err != nil {
		return err
	}
	defer tr.Close()
	if err := atomicio.WriteFile(join(dir, "graph.dot"), func(w io.Writer) error {
		_, err := io.WriteString(w, tr.Net.DOT())
		return err
	}); err != nil {
		return err
	}

	progress := newProgress(stderr, f.quiet, cfg.Epochs)
	if err := interrupt.EnterStage(ctx, "training"); err != nil {
		return err
	}
	stopProfile, err := f.startProfile(ctx, dir)
	if err != nil {
		return err
	}
	defer stopProfile(false) // (an early return: a failed run writes no profile)
	t0 := time.Now()
	var reports []train.Report // all of the run's, those before --resume too
	startEpoch := 0
	if c := f.mio.ckpt; c != nil {
		if reports, err = tr.Restore(c); err != nil {
			return usagef("--resume %s: %v", f.mio.resume, err)
		}
		startEpoch = c.Meta.Epoch
		progress.epoch0 = startEpoch
	}
	meta := train.CheckpointMeta{Flags: f.runFlags, Seed: cfg.Seed, Inputs: cfg.Graph.WithDefaults().Inputs, XNames: []string{"x"}, YName: "y"}
	if f.csv != nil {
		meta.XNames, meta.YName, meta.Scaler = f.csv.table.XNames, f.csv.table.YName, &f.csv.scaler
	}
	save := savePath(f.mio.save, f.out, dir)
	var saveErr error
	writeModel := func() error {
		arrays, err := tr.Checkpoint(meta, reports)
		if err != nil {
			return err
		}
		return train.WriteCheckpoint(save, arrays)
	}
	layers := &layerLog{net: tr.Net}
	onReport := layers.hook(progress.report)
	_, runErr := tr.Run(ctx, func(r train.Report) {
		onReport(r)
		reports = append(reports, r)
		if k := f.mio.checkpointEvery; k > 0 && r.Epoch%k == 0 && r.Epoch < cfg.Epochs && saveErr == nil {
			saveErr = writeModel()
		}
	})
	trainSeconds := time.Since(t0).Seconds()
	runErr = errors.Join(runErr, stopProfile(true))
	// Losses so far are worth keeping even when the run failed.
	if err := train.WriteLosses(join(dir, "losses.csv"), reports); err != nil {
		return err
	}
	if err := train.WriteLayers(join(dir, "layers.csv"), layers.stats); err != nil || layers.err != nil {
		return errors.Join(err, layers.err)
	}
	if errors.Is(runErr, train.ErrDiverged) {
		// The diverged run is kept: its losses say where it went wrong.
		if err := rd.Commit(); err != nil {
			return err
		}
	}
	if runErr == nil && saveErr == nil && f.mio.save != "" {
		saveErr = writeModel()
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

	ext := "." + f.format
	t1 := time.Now()
	sampler := train.NewSampler(tr.Net, cfg.Workers) // one predictive machine for both bands
	sampler.Ctx = ctx
	sampler.Quantiles = defaultQuantiles // pred_val.csv: what bbb predict writes for these inputs
	defer sampler.Close()
	if err := interrupt.EnterStage(ctx, "predictive sampling (validation inputs)"); err != nil {
		return err
	}
	progress.logf("predictive: %d passes over %d validation inputs ...", cfg.Samples, raw.Val.Len())
	valBands, err := sampler.Score(fit.Val.X, fit.Val.Y, cfg.Samples, cfg.Seed)
	if err != nil {
		return err
	}
	valBands = unscale(valBands)
	sampler.Quantiles = nil
	if err := writePredVal(join(dir, "pred_val.csv"), meta, raw.Val, valBands, tr.Net); err != nil {
		return err
	}
	predictSeconds := time.Since(t1).Seconds()
	progress.logf("predictive: %d passes over %d validation inputs in %.2fs", cfg.Samples, raw.Val.Len(), predictSeconds)
	valM := train.Evaluate(valBands, raw.Val)

	var trainBands train.Bands
	var trainM train.Metrics
	var predictTrainSeconds float64
	if !f.skipTrainBand {
		if err := interrupt.EnterStage(ctx, "predictive sampling (training inputs)"); err != nil {
			return err
		}
		progress.logf("predictive: %d passes over %d training inputs ...", cfg.Samples, raw.Train.Len())
		t2 := time.Now()
		if trainBands, err = sampler.Bands(fit.Train.X, cfg.Samples, cfg.Seed); err != nil {
			return err
		}
		trainBands = unscale(trainBands)
		predictTrainSeconds = time.Since(t2).Seconds()
		progress.logf("predictive: %d passes over %d training inputs in %.2fs", cfg.Samples, raw.Train.Len(), predictTrainSeconds)
		trainM = train.Evaluate(trainBands, raw.Train)
	}

	var figures []string
	if !f.noFigure {
		figs := []struct {
			name string
			draw func(path string) error
		}{
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
		figs = append(figs, struct {
			name string
			draw func(path string) error
		}{"calibration" + ext, func(p string) error {
			return viz.Calibration(p, "Calibration (validation data, noise included)", train.CalibrationLevels, train.Score(valBands).Calibration)
		}})
		if !f.skipTrainBand {
			figs = append(figs, struct {
				name string
				draw func(path string) error
			}{"band_train" + ext, func(p string) error {
				return viz.Band(p, bandFigure("Uncertainty visualisation (training data)", raw.Train, trainBands))
			}})
		}
		if f.csv != nil && f.csv.inputs() > 1 {
			figs = observedFigures(f.csv, ext, valBands, trainBands, f.skipTrainBand, figs[2])
		}
		for _, fig := range figs {
			if err := interrupt.EnterStage(ctx, "figures ("+fig.name+")"); err != nil {
				return err
			}
			progress.logf("figures: %s", fig.name)
			if err := fig.draw(join(dir, fig.name)); err != nil {
				return err
			}
			figures = append(figures, fig.name)
		}
	}

	last := reports[len(reports)-1]
	device, name := deviceName(f.device)
	s := train.Summary{
		Preset: f.preset, Dtype: f.dtype, Device: device, DeviceName: name, Seed: cfg.Seed,
		Epochs: cfg.Epochs, TrainSeconds: trainSeconds, SecondsPerEpoch: trainSeconds / float64(cfg.Epochs-startEpoch),
		TrainLossPerPoint: last.TrainLoss, ValLossPerPoint: last.ValLoss,
		Samples: cfg.Samples, PredictSeconds: predictSeconds, PredictTrainSeconds: predictTrainSeconds,
		ValRMSETrue: valM.RMSETrue, ValRMSENoisy: valM.RMSENoisy, ValCoverage90: valM.Coverage90, ValBandWidth: valM.BandWidth,
		TrainRMSETrue: trainM.RMSETrue, TrainCoverage90: trainM.Coverage90,
		Figures: figures, Layers: f.layers, Hidden: f.hidden,
		TrainPoints: raw.Train.Len(), ValPoints: raw.Val.Len(), LearningRate: f.lr,
		LRMilestones: cfg.LRSchedule.Milestones, LRGamma: lrGamma(cfg.LRSchedule),
		Ops: f.ops(), GEMM: gemmBackend(), Workers: cfg.Workers,
		TotalSeconds: time.Since(start).Seconds(), PeakRSSMiB: peakRSSMiB(), Build: buildInfo(),
	}
	if f.csv != nil {
		s.Data, s.XCols, s.YCol = absPath(f.df.data), f.csv.table.XNames, f.csv.table.YName
		if f.df.val != "" {
			s.Val = absPath(f.df.val)
		} else {
			s.ValSplit = f.df.valSplit
		}
	}
	if err := interrupt.EnterStage(ctx, "summary"); err != nil {
		return err
	}
	s.BatchSize, s.MCSamples, s.Estimator = cfg.Batch.Size, max(1, cfg.MCSamples), cfg.Graph.Estimator.String()
	if cfg.Batch.Size > 0 {
		s.KLWeight = cfg.Batch.Weighting.String()
	}
	if err := addScores(&s, tr.Net, valBands); err != nil {
		return err
	}
	if err := train.WriteSummary(join(dir, "summary.json"), s); err != nil {
		return err
	}
	if err := interrupt.EnterStage(ctx, "replacing --out"); err != nil {
		return err
	}
	if err := rd.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seconds_per_epoch %.6f\ntrain_seconds %.3f\npredict_seconds %.3f\npredict_train_seconds %.3f\n",
		s.SecondsPerEpoch, s.TrainSeconds, s.PredictSeconds, s.PredictTrainSeconds)
	fmt.Fprintf(stdout, "train_loss_per_point %.4f\nval_loss_per_point %.4f\nval_rmse_true %.4f\nval_rmse_noisy %.4f\nval_coverage90 %.4f\nval_band_width %.4f\n",
		s.TrainLossPerPoint, s.ValLossPerPoint, s.ValRMSETrue, s.ValRMSENoisy, s.ValCoverage90, s.ValBandWidth)
	fmt.Fprintf(stdout, "val_nlpd %.4f\nval_pred_coverage90 %.4f\n", s.ValNLPD, s.ValPredCoverage90)
	fmt.Fprintf(stdout, "total_seconds %.3f\npeak_rss_mib %.1f\nwrote %s/{%s}\n",
		s.TotalSeconds, s.PeakRSSMiB, f.out, strings.Join(append([]string{"summary.json", "losses.csv", "layers.csv", "graph.dot", "pred_val.csv"}, figures...), ","))
	return nil
}

func bandFigure(title string, s data.Split, b train.Bands) viz.BandFigure {
	return viz.BandFigure{Title: title, X: thin(s.X), Y: thin(s.Y), Mean: thin(b.Mean), Q05: thin(b.Q05), Q95: thin(b.Q95), Truth: thin(s.YTrue),
		TotalQ05: thin(b.TotalQ05), TotalQ95: thin(b.TotalQ95)}
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
