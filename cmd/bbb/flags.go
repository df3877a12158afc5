package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/nodes"
	"github.com/bbb-go/bbb/train"
)

// modelFlags are the flags train and bench share. Defaults are the seed's.
type modelFlags struct {
	layers, hidden, points, workers  int
	threads                          int
	lr, nBatch, priorSigma, likSigma float64
	lrMilestones                     string
	lrGamma                          float64
	dtype, device                    string
	seed                             uint64
	stockOps                         bool
	paper                            paperFlags // --prior, --kl, ... (paperflags.go)
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&m.layers, "layers", 5, "variational linear layers")
	fs.IntVar(&m.hidden, "hidden", 20, "hidden width")
	fs.IntVar(&m.points, "points", 20000, "data points (80% train, 20% validation)")
	fs.IntVar(&m.workers, "workers", defaultWorkers(), "goroutines for predictive sampling")
	fs.IntVar(&m.threads, "threads", 1, threadsHelp())
	fs.Float64Var(&m.lr, "lr", 0.01, "Adam learning rate")
	fs.StringVar(&m.lrMilestones, "lr-milestones", "", "epochs after which the learning rate is multiplied by --lr-gamma, comma-separated and increasing (PyTorch's MultiStepLR); empty: a constant rate")
	fs.Float64Var(&m.lrGamma, "lr-gamma", 0.1, "factor applied to the learning rate at each of --lr-milestones")
	fs.Float64Var(&m.nBatch, "n-batch", 1, "the KL is divided by this (1: full batch)")
	fs.Float64Var(&m.priorSigma, "prior-sigma", 1, "standard deviation of the N(0, s²) weight prior")
	fs.Float64Var(&m.likSigma, "likelihood-sigma", 0.1, "fixed sigma of the Gaussian likelihood")
	fs.StringVar(&m.dtype, "dtype", "float32", "float32 or float64")
	fs.StringVar(&m.device, "device", defaultDevice, "cpu (bin/bbb) or gpu (the CUDA build, bin/bbb-cuda)")
	fs.Uint64Var(&m.seed, "seed", 1, "seed for data, init and every epsilon")
	fs.BoolVar(&m.stockOps, "stock-ops", false, "build x·w+b and ReLU from Gorgonia's stock ops instead of this project's ops (in the CUDA build: instead of the resident graph)")
	m.paper.register(fs)
}

// threadsHelp says what --threads does in this build.
func threadsHelp() string {
	const what = "cores for a step: matrix products split by rows (one OpenBLAS thread each), the elementwise kernels, Adam, epsilon drawn ahead (0: all cores; a seed's numbers are the same run after run at one thread count, not across counts)"
	if linalg.ThreadsSettable() {
		return what
	}
	return "no effect in this build: its GEMM (" + linalg.Backend() + ") splits large products over GOMAXPROCS cores itself; " +
		"in the OpenBLAS build (make bbb): " + what
}

// check validates the shared flags, then sets the GEMM threads (--threads);
// it does no other work.
func (m *modelFlags) check() error {
	switch {
	case m.layers < 1: // (checked here: graph.Config takes 0 for its default)
		return usagef("--layers %d: need at least 1", m.layers)
	case m.hidden <= 0:
		return usagef("--hidden %d: need a value > 0", m.hidden)
	case m.points < 10:
		return usagef("--points %d: need at least 10", m.points)
	case m.workers < 1:
		return usagef("--workers %d: need at least 1", m.workers)
	case m.threads < 0 || m.threads > maxThreads:
		return usagef("--threads %d: want 0 (all cores) to %d", m.threads, maxThreads)
	case !(m.lr > 0 && m.lr <= maxLR):
		return usagef("--lr %v: need a value > 0 and at most %g (Adam's step per epoch; past it a run only diverges)", m.lr, maxLR)
	case !finitePositive(m.lrGamma):
		return usagef("--lr-gamma %v: need a finite value > 0", m.lrGamma)
	}
	for _, c := range []struct {
		name   string
		v, max float64
	}{{"n-batch", m.nBatch, maxNBatch}, {"prior-sigma", m.priorSigma, maxScale}, {"likelihood-sigma", m.likSigma, maxScale}} {
		if err := checkScale(c.name, c.v, c.max); err != nil {
			return err
		}
	}
	if _, err := parseDtype(m.dtype); err != nil {
		return err
	}
	// The sizes (--layers, --hidden) as one description with the seed's
	// one input; the data's inputs are checked once known (checkDesc).
	if err := checkDesc(m.graphConfig()); err != nil {
		return err
	}
	if err := checkDevice(m.device); err != nil {
		return err
	}
	if err := m.paper.check(); err != nil {
		return err
	}
	if m.paper.mcSamples > maxMCSamples {
		return usagef("--mc-samples %d: want 1 to %d (each draw is a forward and backward pass of every step; past %d only the time grows)",
			m.paper.mcSamples, maxMCSamples, maxMCSamples)
	}
	ms, err := train.ParseMilestones(m.lrMilestones)
	if err != nil {
		return usagef("--lr-milestones %q: %s; want increasing epochs >= 1, comma-separated", m.lrMilestones, strings.TrimPrefix(err.Error(), "train: "))
	}
	if peak := m.lr * math.Pow(max(1, m.lrGamma), float64(len(ms))); !(peak <= maxLR) {
		return usagef("--lr-gamma %v: --lr %v rises to %g over --lr-milestones %q; need at most %g", m.lrGamma, m.lr, peak, m.lrMilestones, maxLR)
	}
	if err := m.checkModel(); err != nil {
		return err
	}
	linalg.SetThreads(m.threads)
	return nil
}

// defaultWorkers is one goroutine per core on the CPU; on the GPU one
// machine (one CUDA context) does all passes.
func defaultWorkers() int {
	if cudaBuild {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

func finitePositive(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// The float flags' bounds: wide enough for any sensible run, narrow
// enough that the loss and its gradient stay finite in float32 (a sigma
// of 1e-300 gave an infinite loss at epoch 1, a rate of 1e300 NaN).
const (
	minScale  = 1e-6 // a standard deviation or the KL's divisor: 1/s² stays 1e12
	maxScale  = 1e6
	maxNBatch = 1e12 // the KL divided by up to a trillion minibatches
	maxLR     = 10.0 // also the largest rate --lr-gamma's milestones reach
)

// The integer flags bounded by time or by the machine rather than by memory
// (docs/VALUES.md).
const (
	// maxMCSamples: --mc-samples draws are each a full forward and
	// backward pass of every step (its memory is one gradient accumulator
	// whatever the count: only the time grows). At 1000 the gradient's Monte Carlo noise is 3 % of one
	// draw's (it falls as 1/sqrt(draws); the paper used up to 10), and a
	// seed epoch (16000 rows, hidden 20) takes about 2 minutes on 2 cores
	// (0.12 s a draw): more only makes a run slower.
	maxMCSamples = 1000
	// maxThreads: past the cores, threads only switch; the count is kept
	// in an int32 (internal/parallel), where 1<<40 wrapped to 0.
	maxThreads = 4096
)

// checkScale refuses a standard deviation or divisor outside
// [minScale, max] (NaN and ±Inf included).
func checkScale(name string, v, max float64) error {
	if !(v >= minScale && v <= max) {
		return usagef("--%s %v: need a value from %g to %g (beyond, the loss overflows)", name, v, minScale, max)
	}
	return nil
}

func parseDtype(s string) (tensor.Dtype, error) {
	switch s {
	case "float32":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, usagef("--dtype %q: want float32 or float64", s)
}

func (m *modelFlags) graphConfig() graph.Config {
	dt, _ := parseDtype(m.dtype)
	c := graph.Config{
		Layers: m.layers, Hidden: m.hidden, NBatch: m.nBatch,
		Prior: nodes.Normal{Mu: 0, Sigma: m.priorSigma}, LikelihoodSigma: m.likSigma,
		Dtype: dt, StockOps: m.stockOps,
		// The CUDA build runs the resident graph (every op a CUDA kernel,
		// parameters, Adam and epsilon in GPU memory); --stock-ops there
		// runs Gorgonia's stock ops instead (the earlier GPU path).
		Resident: cudaBuild && !m.stockOps,
	}
	m.paper.apply(&c)
	return c
}

func (m *modelFlags) trainConfig() train.Config {
	c := train.Config{
		Graph: m.graphConfig(), Data: data.CurveConfig{N: m.points},
		LearningRate: m.lr, Seed: m.seed, Workers: m.workers,
	}
	c.LRSchedule.Milestones, _ = train.ParseMilestones(m.lrMilestones)
	c.LRSchedule.Gamma = m.lrGamma
	m.paper.applyTrain(&c)
	return c
}

func (m *modelFlags) ops() string {
	switch {
	case m.stockOps:
		return "stock"
	case cudaBuild:
		return "resident"
	}
	return "fused"
}

// parseFlags parses args into fs; errors become one-line usage errors and
// -h prints the flags to stdout.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fmt.Fprintf(stdout, "usage: bbb %s [flags]\n", fs.Name())
			fs.PrintDefaults()
			return errHelp
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// progressTo is where a command's progress lines go: w, or nowhere (nil)
// with -q.
func progressTo(quiet bool, w io.Writer) io.Writer {
	if quiet {
		return nil
	}
	return w
}
