package job

import (
	"fmt"
	"io"
	"strings"

	"github.com/bbb-go/bbb/train"
)

// The reports a finished job prints: one `key value` line per number,
// then the files it wrote (what `bbb train` and `bbb prune` print on
// stdout, which scripts read).

// WriteSummary writes a regression run's numbers and the files it wrote
// into the folder out.
func WriteSummary(w io.Writer, s train.Summary, out string) error {
	_, err := fmt.Fprintf(w, "seconds_per_epoch %.6f\ntrain_seconds %.3f\npredict_seconds %.3f\npredict_train_seconds %.3f\n"+
		"train_loss_per_point %.4f\nval_loss_per_point %.4f\nval_rmse_true %.4f\nval_rmse_noisy %.4f\nval_coverage90 %.4f\nval_band_width %.4f\n"+
		"val_nlpd %.4f\nval_pred_coverage90 %.4f\ntotal_seconds %.3f\npeak_rss_mib %.1f\nwrote %s/{%s}\n",
		s.SecondsPerEpoch, s.TrainSeconds, s.PredictSeconds, s.PredictTrainSeconds,
		s.TrainLossPerPoint, s.ValLossPerPoint, s.ValRMSETrue, s.ValRMSENoisy, s.ValCoverage90, s.ValBandWidth,
		s.ValNLPD, s.ValPredCoverage90, s.TotalSeconds, s.PeakRSSMiB,
		out, strings.Join(append([]string{"summary.json", "losses.csv", "layers.csv", "graph.dot", "pred_val.csv"}, s.Figures...), ","))
	return err
}

// WriteClassSummary writes a classification run's numbers and the files
// it wrote into the folder out.
func WriteClassSummary(w io.Writer, s train.ClassSummary, out string) error {
	_, err := fmt.Fprintf(w, "seconds_per_epoch %.3f\ntrain_seconds %.1f\ntest_error %.4f\ntest_error_single %.4f\ntest_error_mean_weights %.4f\ntest_nll %.4f\ntest_ece %.4f\nval_error %.4f\ntotal_seconds %.1f\npeak_rss_mib %.0f\nwrote %s/{%s}\n",
		s.SecondsPerEpoch, s.TrainSeconds, s.TestError, s.TestErrorSingle, s.TestErrorMeanW, s.TestNLL, s.TestECE, s.ValError, s.TotalSeconds, s.PeakRSSMiB,
		out, strings.Join(append([]string{"summary.json", "losses.csv", "graph.dot"}, s.Figures...), ","))
	return err
}

// WritePruneTable writes the rows of a pruning run as a table and the
// files it wrote into the folder out (figures in format).
func WritePruneTable(w io.Writer, rows []PruneStep, out, format string) error {
	var b strings.Builder
	b.WriteString("fraction removed snr_threshold_db test_error test_error_single test_error_mean_weights\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-8g %7d %16.2f %10.4f %17.4f %23.4f\n", r.Fraction, r.Removed, r.ThresholdDB, r.Scores.Error, r.Scores.ErrorSingle, r.MeanWeightsError)
	}
	fmt.Fprintf(&b, "wrote %s/{prune.csv,snr.%s,prune_error.%s}\n", out, format, format)
	_, err := io.WriteString(w, b.String())
	return err
}
