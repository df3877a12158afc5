package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// The CLI's numbers are the library's: a train job's summary.json and
// losses.csv equal what the train package computes for the job the flags
// describe (built here from the flags' documented meaning, not from the
// CLI's code). A flag that does not reach the job (--dtype, --lr,
// --samples, ...) or a metric taken from the wrong split changes a number.
func TestSummaryIsTheLibrarysJob(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			out := t.TempDir()
			args := []string{"train", "--epochs", "25", "--report-every", "10", "--samples", "12",
				"--points", "500", "--lr", "0.02", "--seed", "7", "--layers", "3", "--hidden", "8", "--n-batch", "2",
				"--prior-sigma", "0.7", "--likelihood-sigma", "0.3", "--lr-milestones", "12", "--lr-gamma", "0.5", "--no-figures", "-q", "--out", out}
			if dt == tensor.Float64 {
				args = append(args, "--dtype", "float64") // float32 is the default
			}
			code, _, stderr := runCLI(args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var s train.Summary
			b, err := os.ReadFile(filepath.Join(out, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}

			cfg := train.Config{
				Graph: graph.Config{Layers: 3, Hidden: 8, Dtype: dt, NBatch: 2, LikelihoodSigma: 0.3},
				Data:  data.CurveConfig{N: 500}, Epochs: 25, ReportEvery: 10, Samples: 12, LearningRate: 0.02, Seed: 7,
				LRSchedule: train.LRSchedule{Milestones: []int{12}, Gamma: 0.5},
			}
			cfg.Graph.Prior = nodes.Normal{Sigma: 0.7}
			d, err := data.MakeCurve(cfg.Data, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := train.NewTrainer(cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			reports, err := tr.Run(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			vb, err := train.Predict(tr.Net, d.Val.X, cfg.Samples, 1, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			tb, err := train.Predict(tr.Net, d.Train.X, cfg.Samples, 1, cfg.Seed)
			if err != nil {
				t.Fatal(err)
			}
			vm, tm := metrics.ScoreBand(vb.Mean, vb.Q05, vb.Q95, d.Val.Y, d.Val.YTrue), metrics.ScoreBand(tb.Mean, tb.Q05, tb.Q95, d.Train.Y, d.Train.YTrue)
			last := reports[len(reports)-1]

			if s.Dtype != dt.String() || s.Epochs != 25 || s.Samples != 12 || s.Seed != 7 || s.Layers != 3 || s.Hidden != 8 ||
				s.LearningRate != 0.02 || s.Preset != "seed" || len(s.Figures) != 0 || !slices.Equal(s.LRMilestones, []int{12}) || s.LRGamma != 0.5 {
				t.Errorf("summary echoes the flags wrongly: %+v", s)
			}
			if s.TrainPoints != d.Train.Len() || s.ValPoints != d.Val.Len() || s.TrainPoints+s.ValPoints != 500 || s.ValPoints != 100 {
				t.Errorf("points: train %d, val %d; want %d and %d (500 split 80/20)", s.TrainPoints, s.ValPoints, d.Train.Len(), d.Val.Len())
			}
			for _, c := range []struct {
				key       string
				got, want float64
			}{
				{"train_loss_per_point", s.TrainLossPerPoint, last.TrainLoss},
				{"val_loss_per_point", s.ValLossPerPoint, last.ValLoss},
				{"val_rmse_true", s.ValRMSETrue, vm.RMSETrue},
				{"val_rmse_noisy", s.ValRMSENoisy, vm.RMSENoisy},
				{"val_coverage90", s.ValCoverage90, vm.Coverage90},
				{"val_band_width", s.ValBandWidth, vm.BandWidth},
				{"train_rmse_true", s.TrainRMSETrue, tm.RMSETrue},
				{"train_coverage90", s.TrainCoverage90, tm.Coverage90},
			} {
				if c.got != c.want {
					t.Errorf("%s = %v, the library's job gives %v", c.key, c.got, c.want)
				}
			}
			if s.ValCoverage90 == s.TrainCoverage90 && s.ValBandWidth == tm.BandWidth {
				t.Error("the validation and training bands give the same metrics: the test cannot tell them apart")
			}
			var csv strings.Builder
			csv.WriteString("epoch,train,val\n")
			for _, r := range reports {
				fmt.Fprintf(&csv, "%d,%.9g,%.9g\n", r.Epoch, r.TrainLoss, r.ValLoss)
			}
			if got, _ := os.ReadFile(filepath.Join(out, "losses.csv")); string(got) != csv.String() {
				t.Errorf("losses.csv\n%s\nwant\n%s", got, csv.String())
			}
			if len(reports) != 3 || reports[2].Epoch != 25 {
				t.Errorf("reports %+v, want epochs 10, 20, 25", reports)
			}
		})
	}
}

// The flags reach the job's configuration (a second check beside the
// end-to-end test above, which sees only the numbers they produce).
func TestFlagsReachTheConfig(t *testing.T) {
	var f trainFlags
	fs := newTrainFlagSet(&f)
	if err := fs.Parse([]string{"--lr", "0.003", "--dtype", "float64", "--layers", "4", "--hidden", "9", "--points", "700",
		"--seed", "11", "--n-batch", "3", "--prior-sigma", "0.5", "--likelihood-sigma", "0.2", "--stock-ops",
		"--lr-milestones", "5, 9", "--lr-gamma", "0.3"}); err != nil {
		t.Fatal(err)
	}
	c := f.trainConfig()
	g := c.Graph
	if c.LearningRate != 0.003 || c.Seed != 11 || c.Data.N != 700 || g.Dtype != tensor.Float64 || g.Layers != 4 || g.Hidden != 9 ||
		g.NBatch != 3 || g.Prior != (nodes.Normal{Sigma: 0.5}) || g.LikelihoodSigma != 0.2 || !g.StockOps ||
		!slices.Equal(c.LRSchedule.Milestones, []int{5, 9}) || c.LRSchedule.Gamma != 0.3 {
		t.Errorf("config %+v", c)
	}
	var d trainFlags
	if err := newTrainFlagSet(&d).Parse(nil); err != nil {
		t.Fatal(err)
	}
	if dc := d.trainConfig(); dc.LearningRate != 0.01 || dc.Graph.Dtype != tensor.Float32 || dc.Graph.StockOps || dc.Data.N != 20000 ||
		dc.LRSchedule.Milestones != nil || dc.LRSchedule.Rate(dc.LearningRate, 1000) != dc.LearningRate {
		t.Errorf("default config %+v", dc)
	}
}

// newTrainFlagSet registers the model flags of train on a fresh set.
func newTrainFlagSet(f *trainFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	f.register(fs)
	return fs
}
