package train

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// Summary is DIR/summary.json. Other tools read it: keep the keys stable.
type Summary struct {
	Preset              string   `json:"preset"`
	Dtype               string   `json:"dtype"`
	Device              string   `json:"device"`
	DeviceName          string   `json:"device_name,omitempty"`
	Seed                uint64   `json:"seed"`
	Epochs              int      `json:"epochs"`
	TrainSeconds        float64  `json:"train_seconds"`
	SecondsPerEpoch     float64  `json:"seconds_per_epoch"`
	TrainLossPerPoint   float64  `json:"train_loss_per_point"`
	ValLossPerPoint     float64  `json:"val_loss_per_point"`
	Samples             int      `json:"samples"`
	PredictSeconds      float64  `json:"predict_seconds"`
	PredictTrainSeconds float64  `json:"predict_train_seconds"`
	ValRMSETrue         float64  `json:"val_rmse_true"`
	ValRMSENoisy        float64  `json:"val_rmse_noisy"`
	ValCoverage90       float64  `json:"val_coverage90"`
	ValBandWidth        float64  `json:"val_band_width"`
	TrainRMSETrue       float64  `json:"train_rmse_true"`
	TrainCoverage90     float64  `json:"train_coverage90"`
	Figures             []string `json:"figures"`
	Layers              int      `json:"layers"`
	Hidden              int      `json:"hidden"`
	TrainPoints         int      `json:"train_points"`
	ValPoints           int      `json:"val_points"`
	LearningRate        float64  `json:"learning_rate"`
	LRMilestones        []int    `json:"lr_milestones,omitempty"` // epochs after which the rate was multiplied by lr_gamma
	LRGamma             float64  `json:"lr_gamma,omitempty"`
	Ops                 string   `json:"ops"`
	GEMM                string   `json:"gemm"`
	Workers             int      `json:"workers"`
	TotalSeconds        float64  `json:"total_seconds"`
	PeakRSSMiB          float64  `json:"peak_rss_mib,omitempty"`
	Build               Build    `json:"build"` // what made these numbers: they reproduce where this matches

	// The data a --data run read (all absent for the seed's curve): the
	// files' absolute paths, the share held out when there is no
	// validation file, and the columns used.
	Data     string   `json:"data,omitempty"`
	Val      string   `json:"val,omitempty"`
	ValSplit float64  `json:"val_split,omitempty"`
	XCols    []string `json:"x_cols,omitempty"`
	YCol     string   `json:"y_col,omitempty"`

	// The model options and the predictive's scores with the likelihood's
	// noise included (calibration.go); val_coverage90 above stays the
	// epistemic band's.
	Prior             string    `json:"prior"`
	KL                string    `json:"kl"`
	Likelihood        string    `json:"likelihood"`
	NoiseSigma        *float64  `json:"noise_sigma"` // fixed or learned scale at the end; null for the heteroscedastic likelihood
	BatchSize         int       `json:"batch_size"`  // 0: full batch
	KLWeight          string    `json:"kl_weight"`   // minibatch KL weighting ("" with the full batch)
	MCSamples         int       `json:"mc_samples"`  // epsilon draws per step
	Estimator         string    `json:"estimator"`   // "reparam" (weights sampled) or "local"
	ValNLPD           float64   `json:"val_nlpd"`
	ValPredCoverage50 float64   `json:"val_pred_coverage50"`
	ValPredCoverage90 float64   `json:"val_pred_coverage90"`
	ValPredCoverage95 float64   `json:"val_pred_coverage95"`
	ValCalibration    []float64 `json:"val_calibration"` // observed coverage at nominal 10%..90%
	ValTotalBandWidth float64   `json:"val_total_band_width"`
}

// Build names the binary and the BLAS that made a run's numbers: a seed's
// numbers reproduce on another host when these agree (the README's
// "Where these numbers reproduce").
type Build struct {
	Version    string `json:"version"`               // the module version, "(devel)" from a checkout
	Revision   string `json:"revision,omitempty"`    // the commit the binary was built from (vcs.revision)
	Modified   bool   `json:"modified,omitempty"`    // built from a work tree with uncommitted changes
	GoVersion  string `json:"go_version"`            // the toolchain that built it
	BLAS       string `json:"blas"`                  // the host GEMM: gonum (pure Go) or openblas
	BLASCore   string `json:"blas_core,omitempty"`   // openblas_get_corename(): the CPU kernels in use
	BLASConfig string `json:"blas_config,omitempty"` // openblas_get_config(): its version and build options
	CPU        string `json:"cpu,omitempty"`         // the host's CPU model name
}

// WriteSummary writes s as indented JSON to path, atomically.
func WriteSummary(path string, s Summary) error {
	return atomicio.WriteFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	})
}

// WriteLosses writes the reports as CSV (epoch,train,val) to path, atomically.
func WriteLosses(path string, reports []Report) error {
	return atomicio.WriteFile(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, "epoch,train,val"); err != nil {
			return err
		}
		for _, r := range reports {
			if _, err := fmt.Fprintf(w, "%d,%.9g,%.9g\n", r.Epoch, r.TrainLoss, r.ValLoss); err != nil {
				return err
			}
		}
		return nil
	})
}
