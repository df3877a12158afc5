package job

import (
	"strings"
	"testing"

	"github.com/bbb-go/bbb/metrics"
	"github.com/bbb-go/bbb/train"
)

// The stdout reports, byte for byte (scripts read them).
func TestWriteReports(t *testing.T) {
	var b strings.Builder
	s := train.Summary{SecondsPerEpoch: 0.0011734, TrainSeconds: 0.0234, PredictSeconds: 0.01, PredictTrainSeconds: 0.004,
		TrainLossPerPoint: 3498.62774, ValLossPerPoint: 3138.5348, ValRMSETrue: 7.9426, ValRMSENoisy: 7.8834, ValCoverage90: 0.1,
		ValBandWidth: 1.5726, ValNLPD: 2548.7607, ValPredCoverage90: 0.125, TotalSeconds: 0.055, PeakRSSMiB: 20.84, Figures: []string{"a.png"}}
	if err := WriteSummary(&b, s, "o1"); err != nil {
		t.Fatal(err)
	}
	want := "seconds_per_epoch 0.001173\ntrain_seconds 0.023\npredict_seconds 0.010\npredict_train_seconds 0.004\ntrain_loss_per_point 3498.6277\n" +
		"val_loss_per_point 3138.5348\nval_rmse_true 7.9426\nval_rmse_noisy 7.8834\nval_coverage90 0.1000\nval_band_width 1.5726\nval_nlpd 2548.7607\n" +
		"val_pred_coverage90 0.1250\ntotal_seconds 0.055\npeak_rss_mib 20.8\nwrote o1/{summary.json,losses.csv,layers.csv,graph.dot,pred_val.csv,a.png}\n"
	if b.String() != want {
		t.Errorf("WriteSummary:\n%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	cs := train.ClassSummary{SecondsPerEpoch: 1.23456, TrainSeconds: 12.34, TestError: 0.0161, TestErrorSingle: 0.02, TestErrorMeanW: 0.018,
		TestNLL: 0.05, TestECE: 0.004, ValError: 0.017, TotalSeconds: 20.06, PeakRSSMiB: 512.6}
	if err := WriteClassSummary(&b, cs, "om"); err != nil {
		t.Fatal(err)
	}
	want = "seconds_per_epoch 1.235\ntrain_seconds 12.3\ntest_error 0.0161\ntest_error_single 0.0200\ntest_error_mean_weights 0.0180\n" +
		"test_nll 0.0500\ntest_ece 0.0040\nval_error 0.0170\ntotal_seconds 20.1\npeak_rss_mib 513\nwrote om/{summary.json,losses.csv,graph.dot}\n"
	if b.String() != want {
		t.Errorf("WriteClassSummary:\n%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	rows := []PruneStep{{Fraction: 0, Removed: 0, ThresholdDB: -12.345, Scores: metrics.ClassScores{Error: 0.1, ErrorSingle: 0.2}, MeanWeightsError: 0.3},
		{Fraction: 0.5, Removed: 1234, ThresholdDB: 3.2, Scores: metrics.ClassScores{Error: 0.15}, MeanWeightsError: 0.35}}
	if err := WritePruneTable(&b, rows, "pr", "svg"); err != nil {
		t.Fatal(err)
	}
	want = "fraction removed snr_threshold_db test_error test_error_single test_error_mean_weights\n" +
		"0              0           -12.35     0.1000            0.2000                  0.3000\n" +
		"0.5         1234             3.20     0.1500            0.0000                  0.3500\n" +
		"wrote pr/{prune.csv,snr.svg,prune_error.svg}\n"
	if b.String() != want {
		t.Errorf("WritePruneTable:\n%q\nwant\n%q", b.String(), want)
	}
}
