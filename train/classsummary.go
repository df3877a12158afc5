package train

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// ClassSummary is a classification run's DIR/summary.json. Other tools
// read it: keep the keys stable. Errors are shares (0.0132 is 1.32 %).
type ClassSummary struct {
	Task          string   `json:"task"` // "classification"
	Dataset       string   `json:"dataset"`
	Preset        string   `json:"preset"`
	Dtype         string   `json:"dtype"`
	Device        string   `json:"device"`
	DeviceName    string   `json:"device_name,omitempty"`
	Seed          uint64   `json:"seed"`
	Epochs        int      `json:"epochs"`
	Layers        int      `json:"layers"`
	Hidden        int      `json:"hidden"`
	Classes       int      `json:"classes"`
	Prior         string   `json:"prior"`
	KL            string   `json:"kl"`
	Estimator     string   `json:"estimator"`
	BatchSize     int      `json:"batch_size"`
	KLWeight      string   `json:"kl_weight"`
	MCSamples     int      `json:"mc_samples"`
	LR            float64  `json:"learning_rate"`
	LRMilestones  []int    `json:"lr_milestones,omitempty"` // epochs after which the rate was multiplied by lr_gamma
	LRGamma       float64  `json:"lr_gamma,omitempty"`
	Init          string   `json:"init"`
	From          string   `json:"from,omitempty"`           // the model training started from (train --from)
	Prune         float64  `json:"prune,omitempty"`          // the share of its weights removed and held at zero (--prune)
	PrunedWeights int      `json:"pruned_weights,omitempty"` // how many that is
	TrainImages   int      `json:"train_images"`
	ValImages     int      `json:"val_images"`
	TestImages    int      `json:"test_images"`
	Samples       int      `json:"samples"`     // weight draws for the test (and final validation) scores
	ValSamples    int      `json:"val_samples"` // weight draws for the per-epoch validation error
	Threads       int      `json:"threads"`     // OpenBLAS threads (0: all cores)
	GEMM          string   `json:"gemm"`
	Figures       []string `json:"figures"`

	SecondsPerEpoch float64 `json:"seconds_per_epoch"` // training steps only
	TrainSeconds    float64 `json:"train_seconds"`     // with the per-epoch validation
	TestSeconds     float64 `json:"test_seconds"`
	TotalSeconds    float64 `json:"total_seconds"`
	PeakRSSMiB      float64 `json:"peak_rss_mib,omitempty"`
	Build           Build   `json:"build"` // the binary and BLAS that made these numbers (summary.go)

	TrainLossPerImage float64 `json:"train_loss_per_image"` // negative ELBO, last epoch
	ValLossPerImage   float64 `json:"val_loss_per_image"`
	ValError          float64 `json:"val_error"` // mean softmax over Samples draws, at the end
	ValNLL            float64 `json:"val_nll"`
	TestError         float64 `json:"test_error"`              // mean softmax over Samples draws
	TestErrorSingle   float64 `json:"test_error_single"`       // one draw
	TestErrorMeanW    float64 `json:"test_error_mean_weights"` // the posterior means (every epsilon 0)
	TestNLL           float64 `json:"test_nll"`
	TestECE           float64 `json:"test_ece"`
}

// WriteClassSummary writes s as indented JSON to path, atomically.
func WriteClassSummary(path string, s ClassSummary) error {
	return atomicio.WriteFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	})
}

// ClassReport is one epoch of a classification run.
type ClassReport struct {
	Report
	ValError float64 // mean softmax over ValSamples draws
	ValNLL   float64 // mean -log p(label) of the same probabilities
	Seconds  float64 // the epoch's training steps
}

// WriteClassLosses writes the reports as CSV (epoch,train,val,val_nll,val_error,seconds):
// train and val are negative ELBOs per image (val spreads the whole KL over
// the validation images, so it is not train's scale); val_nll is the
// classifier's mean negative log-likelihood, comparable across runs.
func WriteClassLosses(path string, rs []ClassReport) error {
	return atomicio.WriteFile(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, "epoch,train,val,val_nll,val_error,seconds"); err != nil {
			return err
		}
		for _, r := range rs {
			if _, err := fmt.Fprintf(w, "%d,%.9g,%.9g,%.6g,%.6g,%.4f\n", r.Epoch, r.TrainLoss, r.ValLoss, r.ValNLL, r.ValError, r.Seconds); err != nil {
				return err
			}
		}
		return nil
	})
}
