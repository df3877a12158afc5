package modelfile

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// Model is what a model file says about its network: what it is, how it
// was trained and on what. Its zero fields mean the defaults, the seed
// program's model (WithDefaults), except Seed, Epoch and the names.
type Model struct {
	Network   Network   `json:"network"`
	Optimiser Optimiser `json:"optimiser"`
	Data      Data      `json:"data"`
	// Seed fixed the run: data noise, split, initial parameters and
	// every epsilon (train.Config.Seed).
	Seed uint64 `json:"seed"`
	// Epoch is the epochs trained so far (set by train's Checkpoint).
	Epoch int `json:"epoch"`
	// XNames and YName are the input and target columns the network was
	// trained on (bbb predict reads the inputs by these names).
	XNames []string `json:"x_names,omitempty"`
	YName  string   `json:"y_name,omitempty"`
	// Scaler standardised the data for the network (nil: the data's own
	// units, as for the seed's curve).
	Scaler *data.Scaler `json:"scaler,omitempty"`
	// Preset names the settings the run started from (bbb train
	// --preset): a resumed run goes on under it.
	Preset string `json:"preset,omitempty"`
	// ReportEvery is the run's epochs between two reports (0: not
	// recorded, files of older builds): a resumed run reports at the same
	// epochs, so its files are those of the run made in one go.
	ReportEvery int `json:"report_every,omitempty"`
}

// Network is the network's configuration: graph.Config by name, so that
// the file says what it holds without Go's types (Config converts).
type Network struct {
	Layers int `json:"layers"` // variational linear layers (default 5)
	Hidden int `json:"hidden"` // hidden width (default 20)
	Inputs int `json:"inputs"` // input features (default 1)
	// Task is "" (regression) or "classification", with Classes classes.
	Task    string `json:"task,omitempty"`
	Classes int    `json:"classes,omitempty"`
	Prior   Prior  `json:"prior"`
	// KL is the KL estimate: "mc" (default) or "closed".
	KL string `json:"kl"`
	// Likelihood is the Gaussian likelihood's noise scale: "fixed"
	// (default), "learned" or "hetero", starting at LikelihoodSigma
	// (default 0.1); MinSigma is hetero's floor (default
	// graph.DefaultMinSigma).
	Likelihood      string  `json:"likelihood"`
	LikelihoodSigma float64 `json:"likelihood_sigma"`
	MinSigma        float64 `json:"min_sigma"`
	// LocalReparam samples the pre-activations (graph.LocalReparam).
	LocalReparam bool `json:"local_reparam"`
	// NBatch divides the KL (default 1: full batch).
	NBatch float64 `json:"n_batch"`
	// Dtype is "float32" (default) or "float64".
	Dtype string `json:"dtype"`
	// StockOps built the graph from Gorgonia's stock ops.
	StockOps bool `json:"stock_ops"`
}

// Prior is the weight prior: Kind "normal" (default), N(0, Sigma²)
// (Sigma default 1), or "mixture", Pi·N(0, Sigma1²) + (1-Pi)·N(0,
// Sigma2²) (defaults 0.5, 1, e^-6). Every field is kept whichever Kind
// is used, as the run was given them.
type Prior struct {
	Kind   string  `json:"kind"`
	Sigma  float64 `json:"sigma"`
	Pi     float64 `json:"pi"`
	Sigma1 float64 `json:"sigma1"`
	Sigma2 float64 `json:"sigma2"`
}

// Optimiser is how the network was trained (train.Config's Adam,
// learning-rate schedule, minibatches and draws per step).
type Optimiser struct {
	LearningRate float64 `json:"learning_rate"` // Adam's rate (default 0.01)
	// Milestones are the epochs after which the rate is multiplied by
	// Gamma (default 0.1); none: a constant rate.
	Milestones []int   `json:"milestones,omitempty"`
	Gamma      float64 `json:"gamma"`
	// BatchSize is the rows per step (0: the full batch), KLWeight the
	// minibatch KL weighting, "uniform" (default) or "blundell".
	BatchSize int    `json:"batch_size"`
	KLWeight  string `json:"kl_weight"`
	// MCSamples is the epsilon draws per step (default 1).
	MCSamples int `json:"mc_samples"`
}

// Data is where the training data came from: a CSV File (absolute path)
// with a Val file or ValSplit of it held out (default 0.2), its XCols and
// YCol as asked for (empty: every column but the last, and the last); or,
// without File, the seed's curve of Points points (default 20000).
type Data struct {
	Points   int      `json:"points"`
	File     string   `json:"file,omitempty"`
	Val      string   `json:"val,omitempty"`
	ValSplit float64  `json:"val_split"`
	XCols    []string `json:"x_cols,omitempty"`
	YCol     string   `json:"y_col,omitempty"`
	// FileSHA256 and ValSHA256 are File's and Val's SHA-256 (hex) when
	// trained (files of older builds have none): a resumed run checks
	// its data by them, wherever the files have moved.
	FileSHA256 string `json:"file_sha256,omitempty"`
	ValSHA256  string `json:"val_sha256,omitempty"`
}

// WithDefaults returns m with every zero field that has a default set to
// it (the seed program's settings, bbb train's flag defaults).
func (m Model) WithDefaults() Model {
	n, o, d := &m.Network, &m.Optimiser, &m.Data
	defInt(&n.Layers, 5)
	defInt(&n.Hidden, 20)
	defInt(&n.Inputs, 1)
	defStr(&n.Prior.Kind, "normal")
	defFloat(&n.Prior.Sigma, 1)
	defFloat(&n.Prior.Pi, 0.5)
	defFloat(&n.Prior.Sigma1, 1)
	defFloat(&n.Prior.Sigma2, math.Exp(-6))
	defStr(&n.KL, graph.KLSample.String())
	defStr(&n.Likelihood, graph.LikFixed{}.String())
	defFloat(&n.LikelihoodSigma, 0.1)
	defFloat(&n.MinSigma, graph.DefaultMinSigma)
	defFloat(&n.NBatch, 1)
	defStr(&n.Dtype, "float32")
	defFloat(&o.LearningRate, 0.01)
	defFloat(&o.Gamma, 0.1)
	defStr(&o.KLWeight, "uniform")
	defInt(&o.MCSamples, 1)
	defInt(&d.Points, 20000)
	defFloat(&d.ValSplit, 0.2)
	return m
}

func defInt(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

func defFloat(v *float64, d float64) {
	if *v == 0 {
		*v = d
	}
}

func defStr(v *string, d string) {
	if *v == "" {
		*v = d
	}
}

// Config returns the network as a graph.Config (its defaults filled in);
// a name it does not know is an error. Resident is left false: where the
// graph runs is the caller's choice.
func (n Network) Config() (graph.Config, error) {
	n = Model{Network: n}.WithDefaults().Network
	c := graph.Config{
		Layers: n.Layers, Hidden: n.Hidden, Inputs: n.Inputs, NBatch: n.NBatch,
		Prior: nodes.Normal{Mu: 0, Sigma: n.Prior.Sigma}, LikelihoodSigma: n.LikelihoodSigma,
		MinSigma: n.MinSigma, StockOps: n.StockOps,
	}
	switch n.Prior.Kind {
	case "normal":
	case "mixture":
		c.Prior = nodes.ScaleMixture{Pi: n.Prior.Pi, Sigma1: n.Prior.Sigma1, Sigma2: n.Prior.Sigma2}
	default:
		return graph.Config{}, fmt.Errorf("prior %q: want normal or mixture", n.Prior.Kind)
	}
	var err error
	if c.KL, err = graph.ParseKLEstimate(n.KL); err != nil {
		return graph.Config{}, err
	}
	if c.Likelihood, err = graph.ParseLikelihood(n.Likelihood); err != nil {
		return graph.Config{}, err
	}
	if n.LocalReparam {
		c.Estimator = graph.LocalReparam
	}
	switch n.Dtype {
	case "float32":
		c.Dtype = tensor.Float32
	case "float64":
		c.Dtype = tensor.Float64
	default:
		return graph.Config{}, fmt.Errorf("dtype %q: want float32 or float64", n.Dtype)
	}
	switch n.Task {
	case "":
	case graph.Classification.String():
		c.Task, c.Classes = graph.Classification, n.Classes
	default:
		return graph.Config{}, fmt.Errorf("task %q: want classification or none (regression)", n.Task)
	}
	return c, nil
}

// NetworkOf returns c as a Network (c's zero fields as they are: they
// mean the same defaults), the inverse of Network.Config; the prior's
// unused parameters are the defaults. Init, Resident and KLWeightInput
// are not recorded.
func NetworkOf(c graph.Config) Network {
	n := Network{Layers: c.Layers, Hidden: c.Hidden, Inputs: c.Inputs, KL: c.KL.String(), Likelihood: c.Lik().String(),
		LikelihoodSigma: c.LikelihoodSigma, MinSigma: c.MinSigma, LocalReparam: c.Estimator == graph.LocalReparam,
		NBatch: c.NBatch, StockOps: c.StockOps, Prior: Prior{Kind: "normal"}}
	switch p := c.Prior.(type) {
	case nodes.Normal:
		n.Prior.Sigma = p.Sigma
	case nodes.ScaleMixture:
		n.Prior = Prior{Kind: "mixture", Sigma: 1, Pi: p.Pi, Sigma1: p.Sigma1, Sigma2: p.Sigma2}
	case nil:
	default: // a prior the file cannot name: Network.Config refuses it
		n.Prior.Kind = p.String()
	}
	if c.Dtype != (tensor.Dtype{}) {
		n.Dtype = c.Dtype.String()
	}
	if c.Task == graph.Classification {
		n.Task, n.Classes = c.Task.String(), c.Classes
	}
	return n
}
