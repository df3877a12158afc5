package memory

import (
	"fmt"
	"math"
	"runtime"
)

// Job is what a run builds, which decides the parts of its memory.
type Job int

const (
	// Train is a training graph over the data, Adam's state, and the
	// predictive passes (bbb train, bench). The zero Job.
	Train Job = iota
	// Predict is the predictive passes over the data only (bbb predict).
	Predict
	// Graph is graph nodes without values (bbb dot): it grows with the
	// layers only, not with the rows.
	Graph
	// Bandit is one training graph of Points (--batch) rows per agent
	// (Workers agents), its parameters' copies and its replay buffer (bbb
	// bandit).
	Bandit
)

// Sizes are the sizes a run's memory grows with, and how the user set
// each one, for the refusal's message. A zero size counts as 1 (absent);
// a zero From field names the size by bbb's flag ("--points 20000").
type Sizes struct {
	Job Job
	// Points is the data rows, training and validation (for Bandit: the
	// batch rows of each agent's graph).
	Points int
	// Hidden is the hidden layers' width, Layers the layers (hidden ones
	// and the output layer), Inputs the input columns.
	Hidden, Layers, Inputs int
	// Samples is the predictive passes (--samples).
	Samples int
	// Workers is the predictive workers, each with its own graph (for
	// Bandit: the agents).
	Workers int
	// DefaultWorkers is the workers that run at once by default (bbb's
	// --workers default): a Workers count above it is blamed on
	// --workers, not on the model's size. 0 means runtime.GOMAXPROCS(0).
	DefaultWorkers int
	// DtypeBytes is the bytes of a value: 4 for float32, 8 for float64.
	DtypeBytes int
	// Levels is the quantile levels of a Predict run (--quantiles).
	Levels int
	// Buffer is the interactions kept per agent of a Bandit run.
	Buffer int
	// Variational is how many of a Bandit run's agents (Workers) train the
	// BBB network; the others train its deterministic twin, with about a
	// fourth of the memory per weight.
	Variational int
	// Gradients: a Graph run with the gradient nodes (dot --grad).
	Gradients bool
	// PointsFrom, HiddenFrom and LayersFrom say how the user set Points,
	// Hidden and Layers: "--data d.csv (2000000 rows)", "--hidden-sizes
	// 4096", "--model m.npz (hidden 100)". Empty: "--points N",
	// "--hidden N", "--layers N".
	PointsFrom, HiddenFrom, LayersFrom string
	// InputsFrom says how the user set Inputs ("--data d.csv (300000
	// columns)"); empty: "N input columns". The first layer's weights are
	// blamed on it when they are most of the weights and the inputs are
	// further above their default (1) than the width above its (20).
	InputsFrom string
}

// Term is one part of a run's memory and the setting that drives it, the
// one to lower for a smaller run.
type Term struct {
	From  string  // the setting and its value, such as "--points 900000"
	Bytes float64 // the part's bytes
}

// The mirrors of train's bounds on the predictive passes, which the trace
// term models (a test pins them to train.PredictChunk and train.MaxTrace:
// this package does not import train, and so not Gorgonia).
const (
	predictChunk = 4000    // train.PredictChunk: the rows of a forward graph
	maxTrace     = 1 << 26 // train.MaxTrace: the passes' values held at once
)

// The model's constants, fitted to peak RSS measured with the OpenBLAS
// build on amd64 (docs/MEMORY.md has the measurements and the commands;
// TestMemoryEstimateWithin2x keeps them): a run's peak is the program, the
// rows × hidden activations of the training and validation graphs, the
// parameters' copies, a forward graph and its weight samples per
// predictive worker, the data in float64, and the trace of passes.
const (
	memBase = 56 << 20 // the program, its libraries and runtime
	// Buffers of rows × hidden per hidden layer, forward and backward,
	// training and validation graphs together: 4123 B per row at hidden
	// 100, 5 layers, float32.
	memActBuffers = 2.6
	// Copies of the parameters for training (means, scales, gradients,
	// Adam's moments, the sampled weights and their noise, both graphs):
	// 400 MiB for 3 M weights at hidden 1000.
	memTrainCopies = 33
	// Copies per predictive worker (its graph's weights, samples, noise):
	// 65 MiB per worker at hidden 1000.
	memWorkerCopies = 5.5
	// Bytes per row of a predict run beside its inputs: the bands kept
	// for the output (100 B per row measured, 200k rows).
	memPredictRow = 100
	// Bytes per batch row of a bandit agent's graph, per value of
	// (hidden · depth + inputs) and dtype byte: 494.7 MiB measured for 4
	// agents at --batch 20000, hidden 100, depth 2, 117+2 inputs.
	memBanditRow = 4.6
	// memBanditBase: the program without a training run's libraries.
	memBanditBase = 20 << 20
	// Copies of the parameters per bandit agent that trains the BBB
	// network (means, scales, noise, samples, gradients, Adam's moments:
	// 745 MiB measured at hidden 3000, depth 2, 9.4 M weights, 19.6
	// copies), and per agent of its deterministic twin (208 MiB: 5.1).
	memBanditBBB  = 24
	memBanditTwin = 6
)

// Estimate is the estimate of a run's peak memory in bytes (host graphs),
// within 2x of the measured peak at the sizes docs/MEMORY.md lists, and
// the term that dominates it, which names the setting to lower.
func Estimate(s Sizes) (float64, Term) {
	f := func(v int) float64 { return float64(max(v, 1)) }
	b := f(s.DtypeBytes)
	rows, width, in := f(s.Points), f(s.Hidden), f(s.Inputs)
	hiddenLayers := f(s.Layers - 1) // the layers whose outputs are hidden wide
	params := (width*width*math.Max(f(s.Layers)-2, 0) + width*(in+2)) * b
	chunk := math.Min(rows, predictChunk)
	trace := traceBytes(f(s.Samples), chunk)
	samplesName := fmt.Sprintf("--samples %d", s.Samples)
	names := s.names()
	// A product of sizes is blamed on the one furthest above its default
	// (20000 points, hidden 20, 5 layers; hidden counts twice in the
	// parameters, which grow with its square).
	blame := func(byRows, byHidden, byLayers float64) string {
		ratio := []float64{byRows * rows / 20000, byHidden * width / 20, byLayers * f(s.Layers) / 5}
		i := 0
		for j, r := range ratio {
			if r > ratio[i] {
				i = j
			}
		}
		return names[i]
	}
	// The weights' share: the inputs' when the first layer's weights are
	// most of them and the inputs further above their default than the
	// width above its (a CSV of 300,000 columns, not --hidden 20).
	weightsOr := func(model string) string {
		if width*(in+2) < width*width*math.Max(f(s.Layers)-2, 0) || in <= width/20 {
			return model
		}
		if s.InputsFrom != "" {
			return s.InputsFrom
		}
		return fmt.Sprintf("%d input columns", s.Inputs)
	}
	weights := weightsOr(blame(0, 2, 1))
	var terms []Term
	base := float64(memBase)
	switch s.Job {
	case Graph:
		// Nodes, no values: 20 MiB at any --rows, 26-30 MiB at 50-200
		// layers; with the gradient nodes 28, 78 and 130 MiB at 5, 50 and
		// 200 layers (hidden 100).
		perLayer := 0.05
		if s.Gradients {
			perLayer = 0.7
		}
		// The weight tensors are allocated but never written: no RSS (21 MiB
		// at hidden 2000), yet their address space must be had (hidden
		// 100000 asks for 40 GB in one piece, and fails).
		// The input and target tensors of --rows rows, also allocated and
		// never written (inputs, the output, stock ops' column of ones):
		// dot --rows 30000000000 asked for 120 GB in one piece.
		terms = []Term{{names[2], f(s.Layers) * perLayer * (1 << 20)}, {weights, params}, {names[0], rows * (in + 2) * b}}
		base = 20 << 20
	case Bandit:
		// Each agent's share is blamed on the size furthest above bandit's
		// defaults (4 agents, --batch 64, --hidden 100, --depth 2).
		agents := f(s.Workers)
		bbb := math.Min(float64(max(s.Variational, 0)), agents)
		top := func(byRows, byHidden, byLayers float64) string {
			name, r := fmt.Sprintf("--agents (%d agents)", s.Workers), agents/4
			for i, x := range []float64{byRows * rows / 64, byHidden * width / 100, byLayers * (f(s.Layers) - 1) / 2} {
				if x > r {
					name, r = names[i], x
				}
			}
			return name
		}
		terms = []Term{
			{top(1, 1, 1), agents * rows * (width*hiddenLayers + in) * b * memBanditRow},
			{top(0, 2, 1), params * (bbb*memBanditBBB + (agents-bbb)*memBanditTwin)},
			{fmt.Sprintf("--buffer %d", s.Buffer), agents * f(s.Buffer) * 9}, // mushroom, action, reward
		}
		base = memBanditBase
	case Predict:
		terms = []Term{
			{names[0], rows * (in*8*2 + memPredictRow)},
			{workersName(s, weightsOr(blame(0, 1, 1))), f(s.Workers) * (params*memWorkerCopies + chunk*width*hiddenLayers*b*2)},
			{samplesName, trace},
			// memPredictRow holds the default's three levels; each more is
			// a column of float64 per row.
			{fmt.Sprintf("--quantiles (%d levels)", s.Levels), rows * float64(max(s.Levels-3, 0)) * 8},
		}
	default:
		terms = []Term{
			{blame(1, 1, 1), rows * width * hiddenLayers * b * memActBuffers},
			{names[0], rows * (in + 2) * 8 * 2},
			{weights, params * memTrainCopies},
			{workersName(s, weights), f(s.Workers) * (params*memWorkerCopies + chunk*width*hiddenLayers*b*2)},
			{samplesName, trace},
		}
	}
	total := base
	top := terms[0]
	for _, t := range terms {
		total += t.Bytes
		if t.Bytes > top.Bytes {
			top = t
		}
	}
	return total, top
}

// traceBytes is what the predictive passes hold at once (train's Bands and
// chunkRows): samples passes over the rows of a chunk in float32, the rows
// fewer with many samples (at most train.MaxTrace values) but at least one
// (so samples × 4 bytes whatever the bound), and, for each summarising
// goroutine (one per core, at most one per row), four float64 columns of
// samples (the sorted passes and the total band's draws).
func traceBytes(samples, chunk float64) float64 {
	rows := math.Min(chunk, math.Max(1, math.Floor(maxTrace/samples)))
	return samples*rows*4 + samples*32*math.Min(float64(runtime.GOMAXPROCS(0)), rows)
}

// names is how the user set the rows, the hidden width and the layers.
func (s Sizes) names() [3]string {
	n := [3]string{s.PointsFrom, s.HiddenFrom, s.LayersFrom}
	for i, d := range [3]string{fmt.Sprintf("--points %d", s.Points), fmt.Sprintf("--hidden %d", s.Hidden), fmt.Sprintf("--layers %d", s.Layers)} {
		if n[i] == "" {
			n[i] = d
		}
	}
	return n
}

// workersName blames the per-worker term on --workers when there are more
// of them than cores could use, else on the model's size.
func workersName(s Sizes, model string) string {
	d := s.DefaultWorkers
	if d == 0 {
		d = runtime.GOMAXPROCS(0)
	}
	if s.Workers > d {
		return fmt.Sprintf("--workers %d", s.Workers)
	}
	return model
}
