package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/bbb-go/bbb/internal/boundedio"
	"github.com/bbb-go/bbb/train"
)

// Row is one workload size's timings: one entry of a Report's rows.
type Row struct {
	Points            int     `json:"points"`
	Hidden            int     `json:"hidden"`
	Layers            int     `json:"layers"`
	MaddsPerEpoch     float64 `json:"madds_per_epoch"` // multiply-adds of the matrix products, forward + backward (MAdds)
	Steps             int     `json:"steps"`
	StepSecondsMedian float64 `json:"step_seconds_median"` // per step, from chunks of Chunk steps
	StepSecondsMin    float64 `json:"step_seconds_min"`
	// One step timed alone, its loss read back at once (the GPU drained
	// before and after): the median. 0 in files from before the key.
	SyncedSecondsMedian float64 `json:"step_seconds_synced_median,omitempty"`
	PredictPasses       int     `json:"predict_passes"`
	PredictInputs       int     `json:"predict_inputs"`
	PredictSeconds      float64 `json:"predict_seconds"`
	PredictSecondsPass  float64 `json:"predict_seconds_per_pass"`
}

// Report is one backend's sweep: bench.json, the file `bbb bench` writes
// and --compare reads (scripts/torch_bench.py writes the same keys).
type Report struct {
	Device     string `json:"device"`
	DeviceName string `json:"device_name"`
	Dtype      string `json:"dtype"`
	Ops        string `json:"ops"`
	GEMM       string `json:"gemm"`
	Workers    int    `json:"workers"`
	Threads    int    `json:"threads"` // threads one GEMM may use (OpenBLAS's setting, or gonum's GOMAXPROCS); 0 in files from before the key
	Rows       []Row  `json:"rows"`
	// The binary and BLAS that made the timings (absent from --compare
	// files of other tools and from before the key).
	Build *train.Build `json:"build,omitempty"`
	// Model is what every timed step computed besides its row's sizes
	// (ModelOf; absent from files of other tools and from before the
	// key).
	Model *Model `json:"model,omitempty"`
}

// Model is the work of a timed step besides its row's sizes: the
// network's prior, KL estimate, likelihood and gradient estimator, and
// the step's minibatch and weight draws. Two reports of different
// models time different work: a mixture prior's Monte Carlo KL or 64-row
// minibatches are not the seed's step.
type Model struct {
	Prior      string `json:"prior"`      // nodes.Normal or ScaleMixture's String: "normal:0,1"
	KL         string `json:"kl"`         // graph.KLEstimate: "mc" or "closed"
	Likelihood string `json:"likelihood"` // "fixed", "learned" or "hetero"
	Estimator  string `json:"estimator"`  // "reparam" or "local" (local reparameterisation)
	BatchSize  int    `json:"batch_size"` // rows per step; 0: every point
	MCSamples  int    `json:"mc_samples"` // weight draws averaged per step
}

// ModelOf is the Model c's steps compute (its defaults filled in).
func ModelOf(c train.Config) *Model {
	c = c.WithDefaults()
	g := c.Graph
	return &Model{Prior: g.Prior.String(), KL: g.KL.String(), Likelihood: g.Lik().String(), Estimator: g.Estimator.String(),
		BatchSize: c.Batch.Size, MCSamples: max(c.MCSamples, 1)}
}

// MaxReportBytes bounds a report Read takes: a sweep of thousands of sizes
// is a few MiB of JSON.
const MaxReportBytes = 64 << 20

// Read reads a report and checks it (Validate), so that a bad file is
// refused before a sweep that would compare against it. The file must be a
// regular file of at most MaxReportBytes; keys it does not know (PyTorch's
// versions, say) are ignored.
func Read(path string) (*Report, error) {
	f, err := boundedio.Open(path, MaxReportBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Validate checks everything the table and the figure use: a device, at
// least one row, positive sizes, each size once, and finite times, those
// drawn on the figure's log axes above 0. The error names the field.
func (r *Report) Validate() error {
	if strings.TrimSpace(r.Device) == "" {
		return fmt.Errorf("no \"device\"")
	}
	if len(r.Rows) == 0 {
		return fmt.Errorf("no rows")
	}
	seen := make(map[sizeKey]int, len(r.Rows))
	for i, row := range r.Rows {
		for _, c := range []struct {
			name string
			v    int
		}{{"points", row.Points}, {"hidden", row.Hidden}, {"layers", row.Layers}} {
			if c.v < 1 {
				return fmt.Errorf("rows[%d].%s %d: need a size >= 1", i, c.name, c.v)
			}
		}
		k := sizeKey{row.Points, row.Hidden, row.Layers}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("rows[%d]: points %d, hidden %d, layers %d again (rows[%d] has them)", i, k.points, k.hidden, k.layers, j)
		}
		seen[k] = i
		for _, c := range []struct {
			name     string
			v        float64
			positive bool // drawn on a log axis
		}{
			{"step_seconds_median", row.StepSecondsMedian, true}, {"predict_seconds_per_pass", row.PredictSecondsPass, true},
			{"step_seconds_min", row.StepSecondsMin, false}, {"step_seconds_synced_median", row.SyncedSecondsMedian, false},
			{"predict_seconds", row.PredictSeconds, false}, {"madds_per_epoch", row.MaddsPerEpoch, false},
		} {
			switch {
			case math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < 0:
				return fmt.Errorf("rows[%d].%s %v: need a finite value >= 0", i, c.name, c.v)
			case c.positive && c.v == 0:
				return fmt.Errorf("rows[%d].%s 0: need a time > 0", i, c.name)
			}
		}
	}
	return nil
}

// MAdds counts the multiply-adds of the matrix products in one epoch of
// the seed's regression (80% of points train, one input, one output):
// forward x·w, backward g·wᵀ (not for the first layer) and xᵀ·g. It puts
// sizes of different shapes on one axis of work.
func MAdds(points, hidden, layers int) float64 {
	rows := float64(points - points/5)
	var total float64
	for i := 0; i < layers; i++ {
		in, out := float64(hidden), float64(hidden)
		if i == 0 {
			in = 1
		}
		if i == layers-1 {
			out = 1
		}
		mult := 3.0
		if i == 0 {
			mult = 2
		}
		total += mult * rows * in * out
	}
	return total
}

// Median is the median of sorted, a non-empty ascending slice: the middle
// value, or the mean of the two middle ones. The median, not the mean, is
// what a sweep reports, so that one step slowed by the machine does not
// move it.
func Median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
