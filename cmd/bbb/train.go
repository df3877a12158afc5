package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/train"
	"github.com/bbb-go/bbb/viz"
)

type trainFlags struct {
	modelFlags
	preset                         string
	epochs, samples, reportEvery   int
	out, format, cpuProfile        string
	quiet, skipTrainBand, noFigure bool
}

// presets fill the flags the user did not set.
var presets = map[string]map[string]string{
	"seed":  {},                                                    // the seed program's settings (the flag defaults)
	"quick": {"epochs": "300", "samples": "100", "points": "2000"}, // a smoke run in seconds
	// The seed's data with a learned noise scale (starting at 1): a total band that is calibrated.
	"calibrated": {"likelihood": "learned", "likelihood-sigma": "1"},
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f trainFlags
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	f.register(fs)
	fs.StringVar(&f.preset, "preset", "seed", "seed (the seed program's settings), quick (300 epochs, 2000 points, 100 samples) or calibrated (--likelihood learned --likelihood-sigma 1); explicit flags win")
	fs.IntVar(&f.epochs, "epochs", 5000, "training epochs (full-batch steps)")
	fs.IntVar(&f.samples, "samples", 1000, "stochastic passes for the predictive bands")
	fs.IntVar(&f.reportEvery, "report-every", 500, "epochs between train/validation loss reports")
	fs.StringVar(&f.out, "out", "out", "output directory")
	fs.StringVar(&f.format, "format", "png", "figure format: png, svg or pdf")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a pprof CPU profile of the training loop to this file")
	fs.BoolVar(&f.quiet, "q", false, "no progress on stderr")
	fs.BoolVar(&f.skipTrainBand, "no-train-band", false, "skip the 1000-pass band over the training inputs (the seed draws it)")
	fs.BoolVar(&f.noFigure, "no-figures", false, "write no figures")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := applyPreset(fs, f.preset); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	return trainJob(ctx, f, stdout, stderr)
}

func applyPreset(fs *flag.FlagSet, name string) error {
	p, ok := presets[name]
	if !ok {
		return usagef("--preset %q: want seed, quick or calibrated", name)
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
	if _, err := viz.Format("x." + f.format); err != nil {
		return usagef("--format %q: want png, svg or pdf", f.format)
	}
	if f.cpuProfile != "" {
		if err := checkOutDir("--cpuprofile", filepath.Dir(f.cpuProfile)); err != nil {
			return err
		}
	}
	return checkOutDir("--out", f.out)
}

func trainJob(ctx context.Context, f trainFlags, stdout, stderr io.Writer) error {
	start := time.Now()
	cfg := f.trainConfig()
	cfg.Epochs, cfg.Samples, cfg.ReportEvery = f.epochs, f.samples, f.reportEvery
	data, err := train.MakeData(cfg.Data, cfg.Seed)
	if err != nil {
		return usagef("%v", err)
	}
	if err := f.paper.checkBatch(data); err != nil {
		return err
	}
	tr, err := train.NewTrainer(cfg, data)
	if err != nil {
		return err
	}
	defer tr.Close()
	if err := atomicio.WriteFile(join(f.out, "graph.dot"), func(w io.Writer) error {
		_, err := io.WriteString(w, tr.Net.DOT())
		return err
	}); err != nil {
		return err
	}

	progress := newProgress(stderr, f.quiet, cfg.Epochs)
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	t0 := time.Now()
	layers := &layerLog{net: tr.Net}
	reports, runErr := tr.Run(ctx, layers.hook(progress.report))
	trainSeconds := time.Since(t0).Seconds()
	if f.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	// Losses so far are worth keeping even when the run failed.
	if err := train.WriteLosses(join(f.out, "losses.csv"), reports); err != nil {
		return err
	}
	if err := train.WriteLayers(join(f.out, "layers.csv"), layers.stats); err != nil || layers.err != nil {
		return errors.Join(err, layers.err)
	}
	if runErr != nil {
		return runErr
	}

	ext := "." + f.format
	t1 := time.Now()
	sampler := train.NewSampler(tr.Net, cfg.Workers) // one predictive machine for both bands
	defer sampler.Close()
	valBands, err := sampler.Score(data.Val.X, data.Val.Y, cfg.Samples, cfg.Seed)
	if err != nil {
		return err
	}
	predictSeconds := time.Since(t1).Seconds()
	progress.logf("predictive: %d passes over %d validation inputs in %.2fs", cfg.Samples, data.Val.Len(), predictSeconds)
	valM := train.Evaluate(valBands, data.Val)

	var trainBands train.Bands
	var trainM train.Metrics
	var predictTrainSeconds float64
	if !f.skipTrainBand {
		t2 := time.Now()
		if trainBands, err = sampler.Bands(data.Train.X, cfg.Samples, cfg.Seed); err != nil {
			return err
		}
		predictTrainSeconds = time.Since(t2).Seconds()
		progress.logf("predictive: %d passes over %d training inputs in %.2fs", cfg.Samples, data.Train.Len(), predictTrainSeconds)
		trainM = train.Evaluate(trainBands, data.Train)
	}

	var figures []string
	if !f.noFigure {
		figs := []struct {
			name string
			draw func(path string) error
		}{
			{"data" + ext, func(p string) error {
				x, y, yt := mergeSplits(data)
				return viz.Data(p, x, y, yt)
			}},
			{"band_val" + ext, func(p string) error {
				return viz.Band(p, bandFigure("Uncertainty visualisation (validation data)", data.Val, valBands))
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
				return viz.Band(p, bandFigure("Uncertainty visualisation (training data)", data.Train, trainBands))
			}})
		}
		for _, fig := range figs {
			if err := fig.draw(join(f.out, fig.name)); err != nil {
				return err
			}
			figures = append(figures, fig.name)
		}
	}

	last := reports[len(reports)-1]
	device, name := deviceName(f.device)
	s := train.Summary{
		Preset: f.preset, Dtype: f.dtype, Device: device, DeviceName: name, Seed: cfg.Seed,
		Epochs: cfg.Epochs, TrainSeconds: trainSeconds, SecondsPerEpoch: trainSeconds / float64(cfg.Epochs),
		TrainLossPerPoint: last.TrainLoss, ValLossPerPoint: last.ValLoss,
		Samples: cfg.Samples, PredictSeconds: predictSeconds, PredictTrainSeconds: predictTrainSeconds,
		ValRMSETrue: valM.RMSETrue, ValRMSENoisy: valM.RMSENoisy, ValCoverage90: valM.Coverage90, ValBandWidth: valM.BandWidth,
		TrainRMSETrue: trainM.RMSETrue, TrainCoverage90: trainM.Coverage90,
		Figures: figures, Layers: f.layers, Hidden: f.hidden,
		TrainPoints: data.Train.Len(), ValPoints: data.Val.Len(), LearningRate: f.lr,
		Ops: f.ops(), GEMM: gemmBackend(), Workers: cfg.Workers,
		TotalSeconds: time.Since(start).Seconds(), PeakRSSMiB: peakRSSMiB(),
	}
	if err := addScores(&s, tr.Net, valBands); err != nil {
		return err
	}
	if err := train.WriteSummary(join(f.out, "summary.json"), s); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seconds_per_epoch %.6f\ntrain_seconds %.3f\npredict_seconds %.3f\npredict_train_seconds %.3f\n",
		s.SecondsPerEpoch, s.TrainSeconds, s.PredictSeconds, s.PredictTrainSeconds)
	fmt.Fprintf(stdout, "train_loss_per_point %.4f\nval_loss_per_point %.4f\nval_rmse_true %.4f\nval_rmse_noisy %.4f\nval_coverage90 %.4f\nval_band_width %.4f\n",
		s.TrainLossPerPoint, s.ValLossPerPoint, s.ValRMSETrue, s.ValRMSENoisy, s.ValCoverage90, s.ValBandWidth)
	fmt.Fprintf(stdout, "val_nlpd %.4f\nval_pred_coverage90 %.4f\n", s.ValNLPD, s.ValPredCoverage90)
	fmt.Fprintf(stdout, "total_seconds %.3f\npeak_rss_mib %.1f\nwrote %s/{summary.json,losses.csv,layers.csv,graph.dot,%s}\n",
		s.TotalSeconds, s.PeakRSSMiB, f.out, strings.Join(figures, ","))
	return nil
}

func bandFigure(title string, s train.Split, b train.Bands) viz.BandFigure {
	return viz.BandFigure{Title: title, X: s.X, Y: s.Y, Mean: b.Mean, Q05: b.Q05, Q95: b.Q95, Truth: s.YTrue, TotalQ05: b.TotalQ05, TotalQ95: b.TotalQ95}
}

// mergeSplits returns all points sorted by x (both splits are sorted).
func mergeSplits(d train.Data) (x, y, yt []float64) {
	a, b := d.Train, d.Val
	i, j := 0, 0
	for i < a.Len() || j < b.Len() {
		if j >= b.Len() || (i < a.Len() && a.X[i] <= b.X[j]) {
			x, y, yt = append(x, a.X[i]), append(y, a.Y[i]), append(yt, a.YTrue[i])
			i++
		} else {
			x, y, yt = append(x, b.X[j]), append(y, b.Y[j]), append(yt, b.YTrue[j])
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
