package job

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// ModelSettings are a run's network, data size and optimiser as a user
// gives them (bbb train's and bench's flags): numbers and names, checked
// by CheckValues and CheckOptions before GraphConfig and TrainConfig
// build from them. Each field's tags are its flag, its default (the seed
// program's model) and its help (package internal/settingflag):
// DefaultModelSettings has the defaults; the zero value is not a model.
type ModelSettings struct {
	Layers int `flag:"layers" default:"5" help:"variational linear layers"`
	Hidden int `flag:"hidden" default:"20" help:"hidden width"`
	Points int `flag:"points" default:"20000" help:"data points (80% train, 20% validation)"`
	// Workers: bbb train defaults to one per core on the CPU.
	Workers int `flag:"workers" default:"1" help:"goroutines for predictive sampling"`
	// Threads' help depends on the build's GEMM (bbb sets it).
	Threads int     `flag:"threads" default:"1"`
	LR      float64 `flag:"lr" default:"0.01" help:"Adam learning rate"`
	// LRMilestones is read by train.ParseMilestones.
	LRMilestones    string  `flag:"lr-milestones" help:"epochs after which the learning rate is multiplied by --lr-gamma, comma-separated and increasing (PyTorch's MultiStepLR); empty: a constant rate"`
	LRGamma         float64 `flag:"lr-gamma" default:"0.1" help:"factor applied to the learning rate at each of --lr-milestones" effect:"lr-milestones!=: the rate is constant"`
	NBatch          float64 `flag:"n-batch" default:"1" help:"the KL is divided by this (1: full batch)"`
	PriorSigma      float64 `flag:"prior-sigma" default:"1" help:"standard deviation of the N(0, s²) weight prior" effect:"prior=normal: the mixture has --prior-sigma1 and --prior-sigma2"`
	LikelihoodSigma float64 `flag:"likelihood-sigma" default:"0.1" help:"fixed sigma of the Gaussian likelihood"`
	Dtype           string  `flag:"dtype" default:"float32" help:"float32 or float64"`
	Seed            uint64  `flag:"seed" default:"1" help:"seed for data, init and every epsilon"`
	StockOps        bool    `flag:"stock-ops" help:"build x·w+b and ReLU from Gorgonia's stock ops instead of this project's ops (in the CUDA build: instead of the resident graph)"`

	// The options of Blundell et al. (2015) and the field's usual tools.
	Prior       string  `flag:"prior" default:"normal" help:"weight prior: normal (N(0, s²), s from --prior-sigma) or mixture (pi·N(0, s1²) + (1-pi)·N(0, s2²))"`
	PriorPi     float64 `flag:"prior-pi" default:"0.5" help:"--prior mixture: weight pi of the wide component, 0 < pi < 1" effect:"prior=mixture: a mixture prior's weight"`
	PriorSigma1 float64 `flag:"prior-sigma1" default:"1" help:"--prior mixture: standard deviation s1 of the wide component" effect:"prior=mixture: a mixture prior's scale"`
	// PriorSigma2 defaults to e^-6.
	PriorSigma2 float64 `flag:"prior-sigma2" default:"0.0024787521766663585" help:"--prior mixture: standard deviation s2 of the narrow component" effect:"prior=mixture: a mixture prior's scale"`
	// KL is read by graph.ParseKLEstimate.
	KL string `flag:"kl" default:"mc" help:"KL estimate: mc (one-sample Monte Carlo at the drawn weights) or closed (analytic; needs --prior normal)"`
	// Likelihood is read by graph.ParseLikelihood.
	Likelihood string `flag:"likelihood" default:"fixed" help:"Gaussian likelihood's noise scale: fixed (--likelihood-sigma), learned (one scale, softplus-parameterised, starting at --likelihood-sigma) or hetero (the network outputs a mean and a scale per input)"`
	// MinSigma defaults to graph.DefaultMinSigma.
	MinSigma  float64 `flag:"min-sigma" default:"0.001" help:"--likelihood hetero: floor added to the softplus scale" effect:"likelihood=hetero: the floor of --likelihood hetero's scale"`
	BatchSize int     `flag:"batch-size" help:"rows per step; 0: the full batch (the seed's). Each epoch reshuffles the training set and takes N/batch-size steps"`
	// KLWeight is read by train.ParseKLWeighting.
	KLWeight     string `flag:"kl-weight" default:"uniform" help:"with --batch-size: the KL weight of minibatch i of M, uniform (1/M) or blundell (2^(M-i)/(2^M-1))" effect:"batch-size!=0: one full batch per epoch: its KL weight is 1"`
	LocalReparam bool   `flag:"local-reparam" help:"sample the pre-activations (local reparameterisation trick) instead of the weights; needs --kl closed"`
	MCSamples    int    `flag:"mc-samples" default:"1" help:"epsilon draws per step: the negative ELBO and its gradient averaged over them"`
}

// DefaultModelSettings are the seed program's model (the tags' defaults),
// on one worker and one thread.
func DefaultModelSettings() ModelSettings {
	var s ModelSettings
	settingflag.SetDefaults(&s)
	return s
}

// The float settings' bounds: wide enough for any sensible run, narrow
// enough that the loss and its gradient stay finite in float32 (a sigma
// of 1e-300 gave an infinite loss at epoch 1, a rate of 1e300 NaN).
const (
	MinScale  = 1e-6 // a standard deviation or the KL's divisor: 1/s² stays 1e12
	MaxScale  = 1e6
	MaxNBatch = 1e12 // the KL divided by up to a trillion minibatches
	MaxLR     = 10.0 // also the largest rate LRGamma's milestones reach
	// MinLR is float32's smallest normal number: a smaller rate rounds to 0
	// (or a subnormal) in the float32 Adam, and nothing trains.
	MinLR = 0x1p-126
)

// The integer settings bounded by time or by the machine rather than by
// memory (docs/VALUES.md).
const (
	// MaxMCSamples: MCSamples draws are each a full forward and backward
	// pass of every step (its memory is one gradient accumulator whatever
	// the count: only the time grows). At 1000 the gradient's Monte Carlo
	// noise is 3 % of one draw's (it falls as 1/sqrt(draws); the paper
	// used up to 10), and a seed epoch (16000 rows, hidden 20) takes about
	// 2 minutes on 2 cores (0.12 s a draw): more only makes a run slower.
	MaxMCSamples = 1000
	// MaxThreads: past the cores, threads only switch; the count is kept
	// in an int32 (internal/parallel), where 1<<40 wrapped to 0.
	MaxThreads = 4096
	// MinPoints is the fewest points of the seed's curve a run takes: its
	// validation share (a fifth) must hold some.
	MinPoints = 10
)

// CheckValues checks each number and the dtype on its own, then the
// network's sizes (Layers, Hidden, one input) against avail bytes of
// memory: the first bad one is a *SettingError, or for the sizes a
// *modelfile.SizeError.
func (s *ModelSettings) CheckValues(avail float64) error {
	bad := func(setting string, value any, reason string, a ...any) error {
		return &SettingError{Setting: setting, Value: fmt.Sprint(value), Reason: fmt.Sprintf(reason, a...)}
	}
	switch {
	case s.Layers < 1: // (checked here: graph.Config takes 0 for its default)
		return bad("Layers", s.Layers, "need at least 1")
	case s.Hidden <= 0:
		return bad("Hidden", s.Hidden, "need a value > 0")
	case s.Points < MinPoints:
		return bad("Points", s.Points, "need at least %d", MinPoints)
	case s.Workers < 1:
		return bad("Workers", s.Workers, "need at least 1")
	case s.Threads < 0 || s.Threads > MaxThreads:
		return bad("Threads", s.Threads, "want 0 (all cores) to %d", MaxThreads)
	case !(s.LR > 0 && s.LR <= MaxLR):
		return bad("LR", s.LR, "need a value > 0 and at most %g (Adam's step per epoch; past it a run only diverges)", MaxLR)
	case s.LR < MinLR:
		return bad("LR", s.LR, "need at least %.3g (float32's smallest normal number: a smaller rate rounds to 0, and nothing trains)", MinLR)
	case !(s.LRGamma > 0 && !math.IsInf(s.LRGamma, 0)):
		return bad("LRGamma", s.LRGamma, "need a finite value > 0")
	}
	for _, c := range []struct {
		setting string
		v, max  float64
	}{{"NBatch", s.NBatch, MaxNBatch}, {"PriorSigma", s.PriorSigma, MaxScale}, {"LikelihoodSigma", s.LikelihoodSigma, MaxScale}} {
		if err := checkScale(c.setting, c.v, c.max); err != nil {
			return err
		}
	}
	if _, err := ParseDtype(s.Dtype); err != nil {
		return err
	}
	// The sizes as one description with the seed's one input; the data's
	// inputs are checked once known.
	return modelfile.CheckSize(s.GraphConfig(false), avail)
}

// checkScale refuses a standard deviation or divisor outside
// [MinScale, max] (NaN and ±Inf included).
func checkScale(setting string, v, max float64) error {
	if !(v >= MinScale && v <= max) {
		return &SettingError{Setting: setting, Value: fmt.Sprint(v),
			Reason: fmt.Sprintf("need a value from %g to %g (beyond, the loss overflows)", MinScale, max)}
	}
	return nil
}

// ParseDtype reads a Dtype: float32 or float64; another is a
// *SettingError for "Dtype".
func ParseDtype(s string) (tensor.Dtype, error) {
	switch s {
	case "float32":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, &SettingError{Setting: "Dtype", Value: strconv.Quote(s), Reason: "want float32 or float64"}
}

// DtypeBytes is the bytes of one value of Dtype: 8 for float64, else 4
// (for memory.Sizes).
func (s *ModelSettings) DtypeBytes() int {
	if s.Dtype == "float64" {
		return 8
	}
	return 4
}

// CheckOptions checks the paper's options, each and in combination, the
// draws per step and the learning-rate schedule (a *SettingError), then
// that the network built with resident (GraphConfig) can run them (graph's
// error).
func (s *ModelSettings) CheckOptions(resident bool) error {
	quoted := func(setting, value, reason string, refs ...string) error {
		return &SettingError{Setting: setting, Value: strconv.Quote(value), Reason: reason, Refs: refs}
	}
	switch {
	case s.Prior != "normal" && s.Prior != "mixture":
		return quoted("Prior", s.Prior, "want normal or mixture")
	case !(s.PriorPi > 0 && s.PriorPi < 1):
		return &SettingError{Setting: "PriorPi", Value: fmt.Sprint(s.PriorPi), Reason: "need 0 < pi < 1"}
	}
	for _, c := range []struct {
		setting string
		v       float64
	}{{"PriorSigma1", s.PriorSigma1}, {"PriorSigma2", s.PriorSigma2}, {"MinSigma", s.MinSigma}} {
		if err := checkScale(c.setting, c.v, MaxScale); err != nil {
			return err
		}
	}
	k, err := graph.ParseKLEstimate(s.KL)
	if err != nil {
		return quoted("KL", s.KL, "want mc or closed")
	}
	if _, err := graph.ParseLikelihood(s.Likelihood); err != nil {
		return quoted("Likelihood", s.Likelihood, "want fixed, learned or hetero")
	}
	if s.BatchSize < 0 {
		return &SettingError{Setting: "BatchSize", Value: strconv.Itoa(s.BatchSize), Reason: "need a value >= 0 (0: full batch)"}
	}
	if _, err := train.ParseKLWeighting(s.KLWeight); err != nil {
		return quoted("KLWeight", s.KLWeight, "want uniform or blundell")
	}
	if s.MCSamples < 1 {
		return &SettingError{Setting: "MCSamples", Value: strconv.Itoa(s.MCSamples), Reason: "need at least 1"}
	}
	if s.LocalReparam && k != graph.KLClosed {
		return &SettingError{Setting: "LocalReparam", Reason: "needs {KL} closed (no weight sample is left for a Monte-Carlo KL)", Refs: []string{"KL"}}
	}
	if k == graph.KLClosed && s.Prior == "mixture" {
		return &SettingError{Setting: "KL", Value: "closed", Reason: "the mixture prior has no closed-form KL (use {Prior} normal or {KL} mc)", Refs: []string{"Prior", "KL"}}
	}
	if s.MCSamples > MaxMCSamples {
		return &SettingError{Setting: "MCSamples", Value: strconv.Itoa(s.MCSamples), Reason: fmt.Sprintf(
			"want 1 to %d (each draw is a forward and backward pass of every step; past %d only the time grows)", MaxMCSamples, MaxMCSamples)}
	}
	ms, err := train.ParseMilestones(s.LRMilestones)
	if err != nil {
		return quoted("LRMilestones", s.LRMilestones, strings.TrimPrefix(err.Error(), "train: ")+"; want increasing epochs >= 1, comma-separated")
	}
	if peak := s.LR * math.Pow(max(1, s.LRGamma), float64(len(ms))); !(peak <= MaxLR) {
		return &SettingError{Setting: "LRGamma", Value: fmt.Sprint(s.LRGamma), Refs: []string{"LR", "LRMilestones"},
			Reason: fmt.Sprintf("{LR} %v rises to %g over {LRMilestones} %q; need at most %g", s.LR, peak, s.LRMilestones, MaxLR)}
	}
	if low := s.LR * math.Pow(min(1, s.LRGamma), float64(len(ms))); !(low >= MinLR) {
		return &SettingError{Setting: "LRGamma", Value: fmt.Sprint(s.LRGamma), Refs: []string{"LR", "LRMilestones"},
			Reason: fmt.Sprintf("{LR} %v falls to %.3g over {LRMilestones} %q; need at least %.3g (float32's smallest normal number: a smaller rate rounds to 0, and nothing trains)", s.LR, low, s.LRMilestones, MinLR)}
	}
	// What the built model cannot do (resident: every option the resident
	// graph lacks), named by the option.
	return s.GraphConfig(resident).WithDefaults().Validate()
}

// Ops names the ops the network of s runs on (summary.json's "ops"):
// Gorgonia's stock ops, the resident graph's, or the fused CPU ops.
func (s *ModelSettings) Ops(resident bool) string {
	switch {
	case s.StockOps:
		return "stock"
	case resident:
		return "resident"
	}
	return "fused"
}

// GraphConfig is the network of s: the resident graph (every op a CUDA
// kernel, parameters, Adam and epsilon in GPU memory) if resident, unless
// StockOps asks for Gorgonia's stock ops.
func (s *ModelSettings) GraphConfig(resident bool) graph.Config {
	dt, _ := ParseDtype(s.Dtype)
	c := graph.Config{
		Layers: s.Layers, Hidden: s.Hidden, NBatch: s.NBatch,
		Prior: nodes.Normal{Mu: 0, Sigma: s.PriorSigma}, LikelihoodSigma: s.LikelihoodSigma,
		Dtype: dt, StockOps: s.StockOps,
		Resident: resident && !s.StockOps,
	}
	if s.Prior == "mixture" {
		c.Prior = nodes.ScaleMixture{Pi: s.PriorPi, Sigma1: s.PriorSigma1, Sigma2: s.PriorSigma2}
	}
	c.KL, _ = graph.ParseKLEstimate(s.KL)
	c.Likelihood, _ = graph.ParseLikelihood(s.Likelihood)
	c.MinSigma = s.MinSigma
	if s.LocalReparam {
		c.Estimator = graph.LocalReparam
	}
	return c
}

// TrainConfig is the training of s on the seed's curve of Points points
// (GraphConfig's network; the caller sets the epochs and what it trains
// on).
func (s *ModelSettings) TrainConfig(resident bool) train.Config {
	c := train.Config{
		Graph: s.GraphConfig(resident), Data: data.CurveConfig{N: s.Points},
		LearningRate: s.LR, Seed: s.Seed, Workers: s.Workers,
	}
	c.LRSchedule.Milestones, _ = train.ParseMilestones(s.LRMilestones)
	c.LRSchedule.Gamma = s.LRGamma
	w, _ := train.ParseKLWeighting(s.KLWeight)
	c.Batch = train.Batch{Size: s.BatchSize, Weighting: w}
	c.MCSamples = s.MCSamples
	return c
}

// CheckBatch refuses a BatchSize over the training rows of d (known once
// the data is made, before training).
func (s *ModelSettings) CheckBatch(d data.Set) error { return s.CheckBatchRows(d.Train.Len()) }

// CheckBatchRows refuses a BatchSize over rows training rows (the seed's
// curve: data.CurveConfig.TrainRows, known before it is made).
func (s *ModelSettings) CheckBatchRows(rows int) error {
	if s.BatchSize > rows {
		return &SettingError{Setting: "BatchSize", Value: strconv.Itoa(s.BatchSize), Reason: fmt.Sprintf("over the %d training points", rows)}
	}
	return nil
}
