package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// streamClassify + s is weight draw s's PCG stream in Classifier.Probs;
// far from the other streams (streams.go, batch.go).
const streamClassify uint64 = 0x636c617373000000 // "class", shifted 3 bytes

// ClassifyChunk is the rows of one forward run: a 1000-row chunk of
// 1200-wide activations is 5 MB.
const ClassifyChunk = 1000

// Classifier predicts classes with a trained network's posterior: the
// mean softmax over weight draws (Blundell et al. 2015, §5.1). It owns a
// forward copy of the network on the host graph (for a resident network
// too) and its machine; Probs copies the current parameters in at each
// call.
type Classifier struct {
	Ctx context.Context // stops Probs between runs (nil: never)
	// PosteriorMean makes Probs run the network at the posterior means
	// (every epsilon 0: weights mu, or with the local reparameterisation
	// the pre-activations' means): one deterministic pass, whatever
	// samples is.
	PosteriorMean bool

	net  *graph.Network
	vm   G.VM
	out  G.Value
	k    int
	x    []float64
	logp []float64
	pred *predictive // a resident src's K-draw graph (probsBatched), built on first use
}

// NewClassifier builds the forward graph of src for chunks of up to
// ClassifyChunk rows (fewer when rows is smaller).
func NewClassifier(src *graph.Network, rows int) (*Classifier, error) {
	c := src.Config
	if c.Task != graph.Classification {
		return nil, fmt.Errorf("train: classify: the network is not a classifier (task %v)", c.Task)
	}
	rows = min(max(rows, 1), ClassifyChunk)
	// A resident src is read through its host tensors (pulled at report
	// epochs and the last): the passes run on the host graph, whose
	// epsilon Probs draws.
	c.Resident = false
	net, err := graph.NewForward(c, rows)
	if err != nil {
		return nil, err
	}
	cl := &Classifier{net: net, k: c.Classes, x: make([]float64, rows*c.Inputs), logp: make([]float64, rows*c.Classes)}
	G.Read(readable(net.Output), &cl.out)
	cl.vm = G.NewTapeMachine(net.Graph)
	return cl, nil
}

// Close releases the machines.
func (cl *Classifier) Close() error {
	if cl.pred != nil {
		cl.pred.vm.Close()
		cl.pred = nil
	}
	return cl.vm.Close()
}

// Probs returns, for every row of x (row-major, Inputs wide), the class
// probabilities averaged over samples weight draws, and those of the
// first draw alone. Draw s uses the PCG stream (seed, streamClassify+s),
// so the result does not depend on the chunking (except with the local
// reparameterisation, whose noise is drawn per chunk of rows). A resident
// src that samples weights is scored by probsBatched instead: K draws a
// run on the device, the Philox stream (seed, streamClassify).
func (cl *Classifier) Probs(src *graph.Network, x []float64, samples int, seed uint64) (mean, first []float64, err error) {
	in := cl.net.Config.Inputs
	if samples < 1 {
		return nil, nil, fmt.Errorf("train: classify: samples %d: need at least 1", samples)
	}
	if len(x) == 0 || len(x)%in != 0 {
		return nil, nil, fmt.Errorf("train: classify: %d input values: need a positive multiple of %d", len(x), in)
	}
	if src.Config.Resident && src.Config.Estimator != graph.LocalReparam && !cl.PosteriorMean {
		return cl.probsBatched(src, x, samples, seed)
	}
	if err := cl.net.CopyParams(src); err != nil {
		return nil, nil, err
	}
	n, rows, k := len(x)/in, cl.net.Rows, cl.k
	mean, first = make([]float64, n*k), make([]float64, n*k)
	src0 := rand.NewPCG(seed, 0)
	rng := rand.New(src0)
	local := cl.net.Config.Estimator == graph.LocalReparam
	if cl.PosteriorMean {
		samples = 1
		if err := cl.net.FillEpsConst(0); err != nil {
			return nil, nil, err
		}
	}
	for s := 0; s < samples; s++ {
		src0.Seed(seed, streamClassify+uint64(s))
		if !local && !cl.PosteriorMean { // one weight draw for every input
			if err := cl.net.FillEps(rng); err != nil {
				return nil, nil, err
			}
		}
		for lo := 0; lo < n; lo += rows {
			if cl.Ctx != nil {
				if err := cl.Ctx.Err(); err != nil {
					return nil, nil, err
				}
			}
			hi := min(lo+rows, n)
			clear(cl.x)
			copy(cl.x, x[lo*in:hi*in])
			if err := graph.SetValues(cl.net.X, cl.x); err != nil {
				return nil, nil, err
			}
			if local && !cl.PosteriorMean { // per-input noise on the pre-activations
				if err := cl.net.FillEps(rng); err != nil {
					return nil, nil, err
				}
			}
			if err := cl.vm.RunAll(); err != nil {
				cl.vm.Reset()
				return nil, nil, fmt.Errorf("train: classify: draw %d: %w", s, err)
			}
			z, err := graph.ValueFloats(cl.out)
			cl.vm.Reset()
			if err != nil {
				return nil, nil, err
			}
			nodes.LogSoftmax(z, k, cl.logp)
			for i := 0; i < (hi-lo)*k; i++ {
				// At most 1 (a log-probability rounded above 0 gives
				// 1.0000000000000002), so the sum of the draws is at most
				// samples and the mean at most 1: averaging as a running
				// sum of p/samples gave 1.0000000000000007 over 100 draws.
				p := math.Min(math.Exp(cl.logp[i]), 1)
				mean[lo*k+i] += p
				if s == 0 {
					first[lo*k+i] = p
				}
			}
		}
	}
	for i := range mean {
		mean[i] /= float64(samples)
	}
	return mean, first, nil
}

// probsBatched is Probs for a resident network that samples weights: K
// draws per run of a predictive graph (graph.NewPredictive) whose
// SoftmaxDraws node sums their probabilities where the graph runs (on the
// GPU in the CUDA build), so a run reads back 2 × rows × classes numbers,
// not K × rows × classes. Run r draws epsilon at step r of the Philox
// stream (seed, streamClassify): draw s = r·K + j, the same for every
// chunk of rows. K divides samples, so no draw is wasted.
func (cl *Classifier) probsBatched(src *graph.Network, x []float64, samples int, seed uint64) (mean, first []float64, err error) {
	c := src.Config
	in, rows, k := c.Inputs, cl.net.Rows, cl.k
	width := max(c.Hidden, c.Inputs, c.Outputs)
	perPass := max(rows*width, c.Hidden*width)
	draws := drawsPerRun(samples, max(1, predictBatchElements/perPass))
	p := cl.pred
	if p == nil || p.net.Samples != draws {
		if p != nil {
			p.vm.Close()
			cl.pred = nil
		}
		net, err := graph.NewPredictive(c, rows, draws)
		if err != nil {
			return nil, nil, err
		}
		sums, err := nodes.SoftmaxDraws(net.Output)
		if err != nil {
			return nil, nil, err
		}
		p = &predictive{net: net}
		G.Read(readable(sums), &p.out)
		p.vm = G.NewTapeMachine(net.Graph)
		cl.pred = p
	}
	if err := p.net.CopyParams(src); err != nil {
		return nil, nil, err
	}
	p.net.Store.Seed = philoxSeed(seed, streamClassify)
	n := len(x) / in
	mean, first = make([]float64, n*k), make([]float64, n*k)
	for lo := 0; lo < n; lo += rows {
		hi := min(lo+rows, n)
		clear(cl.x)
		copy(cl.x, x[lo*in:hi*in])
		if err := graph.SetValues(p.net.X, cl.x); err != nil {
			return nil, nil, err
		}
		p.net.ReloadInputs()
		for r := 0; r < samples/draws; r++ {
			if cl.Ctx != nil {
				if err := cl.Ctx.Err(); err != nil {
					return nil, nil, err
				}
			}
			if err := p.net.SetStep(uint64(r)); err != nil {
				return nil, nil, err
			}
			if err := p.vm.RunAll(); err != nil {
				p.vm.Reset()
				return nil, nil, fmt.Errorf("train: classify: run %d of %d draws: %w", r, draws, err)
			}
			v, err := graph.ValueFloats(p.out)
			p.vm.Reset()
			if err != nil {
				return nil, nil, err
			}
			// v is (2, rows, k): the draws' summed probabilities, then draw r·K's.
			m := (hi - lo) * k
			for i, s := range v[:m] {
				mean[lo*k+i] += s
			}
			if r == 0 {
				copy(first[lo*k:hi*k], v[rows*k:rows*k+m])
			}
		}
	}
	for i := range mean {
		mean[i] /= float64(samples)
	}
	return mean, first, nil
}

// drawsPerRun is the largest divisor of samples that is at most limit.
func drawsPerRun(samples, limit int) int {
	for d := min(samples, limit); d > 1; d-- {
		if samples%d == 0 {
			return d
		}
	}
	return 1
}
