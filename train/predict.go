package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/metrics"
)

// Bands is the predictive distribution at each input: the mean of the
// stochastic passes and their 5% and 95% quantiles (the epistemic band:
// weight uncertainty only), and the 5% and 95% quantiles of predictive
// draws that add the likelihood's noise to each pass (the total band).
// Sampler.Score also fills PIT and LogDensity (see calibration.go).
type Bands struct {
	Mean, Q05, Q95     []float64
	TotalQ05, TotalQ95 []float64
	PIT, LogDensity    []float64 // Score only: per input, nil otherwise

	// With Sampler.Quantiles set: the standard deviation of the passes and
	// Q[k][i], quantile Levels[k] at input i.
	Std    []float64
	Levels []float64
	Q      [][]float64
}

// Unscale maps bands of standardised targets back to the data's units
// with sc, in place: a model trained on standardised data reports in the
// user's units.
func (b Bands) Unscale(sc data.Scaler) {
	sc.UnscaleY(b.Mean)
	sc.UnscaleY(b.Q05)
	sc.UnscaleY(b.Q95)
	sc.UnscaleY(b.TotalQ05)
	sc.UnscaleY(b.TotalQ95)
	for i := range b.LogDensity { // a density of y = YMean + YStd·z
		b.LogDensity[i] -= math.Log(sc.YStd)
	}
	for _, q := range b.Q {
		sc.UnscaleY(q)
	}
	for i := range b.Std {
		b.Std[i] *= sc.YStd
	}
}

// PredictChunk is the most inputs one forward graph takes at a time:
// inputs are summarised chunk by chunk, so the trace of passes held in
// memory is samples × PredictChunk values, not samples × len(x).
const PredictChunk = 4000

// Predict runs samples stochastic forward passes of src's current
// parameters over x and summarises them per input. Sample s draws its
// epsilon from the stream (seed, streamPredict+s), so it uses the same
// weights for every chunk of x, and the result does not depend on workers,
// the number of goroutines sharing the passes.
func Predict(src *graph.Network, x []float64, samples, workers int, seed uint64) (Bands, error) {
	sm := NewSampler(src, workers)
	defer sm.Close()
	return sm.Bands(x, samples, seed)
}

// Sampler draws predictive bands of a network's current parameters
// (Predict, as a value that keeps its machines). For a resident network
// it keeps the predictive graph and its machine between calls, so only the
// first call pays for building them (on the GPU: a CUDA context and its
// kernels); each call copies the parameters from the source network again.
type Sampler struct {
	src     *graph.Network
	workers int
	pred    *predictive // resident networks

	// Quantiles, if not nil, are the levels Bands also returns (Q), with
	// the passes' standard deviation (Std).
	Quantiles []float64

	// Ctx, if not nil, stops the passes when it is done (checked between
	// passes); Bands then returns its error.
	Ctx context.Context
}

// predictive is a K-pass predictive graph with its machine.
type predictive struct {
	net *graph.Network
	vm  G.VM
	out G.Value
}

// NewSampler returns a Sampler of src using workers goroutines (host
// networks only: a resident network runs on one machine).
func NewSampler(src *graph.Network, workers int) *Sampler {
	return &Sampler{src: src, workers: workers}
}

// Close releases the machines.
func (sm *Sampler) Close() {
	if sm.pred != nil {
		sm.pred.vm.Close()
		sm.pred = nil
	}
}

// Bands is Predict(src, x, samples, workers, seed) on the sampler's machines.
func (sm *Sampler) Bands(x []float64, samples int, seed uint64) (Bands, error) {
	return sm.Score(x, nil, samples, seed)
}

// Score is Bands, plus, when y is not nil (a target per input), each
// target's PIT and log predictive density under the mixture of the passes.
func (sm *Sampler) Score(x, y []float64, samples int, seed uint64) (Bands, error) {
	src, workers := sm.src, sm.workers
	if src.Config.Outputs != 1 {
		return Bands{}, fmt.Errorf("train: predict: %d outputs: bands need one", src.Config.Outputs)
	}
	noise, err := src.Noise()
	if err != nil {
		return Bands{}, err
	}
	wd := noise.Width()
	if samples < 2 {
		return Bands{}, fmt.Errorf("train: samples %d: need at least 2", samples)
	}
	if len(x) == 0 {
		return Bands{}, fmt.Errorf("train: predict: no inputs")
	}
	workers = max(1, min(workers, samples))
	in := max(1, src.Config.Inputs)
	if len(x)%in != 0 {
		return Bands{}, fmt.Errorf("train: predict: %d values for rows of %d inputs", len(x), in)
	}
	n := len(x) / in
	if y != nil && len(y) != n {
		return Bands{}, fmt.Errorf("train: score: %d targets for %d inputs", len(y), n)
	}
	size := chunkRows(n, samples, wd, MaxTrace)
	b := Bands{Mean: make([]float64, n), Q05: make([]float64, n), Q95: make([]float64, n),
		TotalQ05: make([]float64, n), TotalQ95: make([]float64, n)}
	if y != nil {
		b.PIT, b.LogDensity = make([]float64, n), make([]float64, n)
	}
	if sm.Quantiles != nil {
		b.Std, b.Levels = make([]float64, n), sm.Quantiles
		for range sm.Quantiles {
			b.Q = append(b.Q, make([]float64, n))
		}
	}
	trace := make([]float32, samples*size*wd) // trace[(s*rows+i)*wd+k]: pass s at input lo+i
	// A resident network takes K passes per run of a predictive graph, but
	// with local reparameterisation (noise per pre-activation, while
	// NewPredictive samples weights) one pass per run of its forward graph.
	if src.Store != nil && src.Config.Estimator != graph.LocalReparam {
		return b, sm.predictBatched(x, y, samples, size, seed, trace, b, noise)
	}
	var nets []*sampler
	defer func() {
		for _, sm := range nets {
			sm.vm.Close()
		}
	}()
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		rows := hi - lo
		// Graphs are built here, one goroutine at a time; only running them
		// is concurrent (each worker owns its graph, machine and buffers).
		if len(nets) == 0 || nets[0].net.Rows != rows {
			for _, sm := range nets {
				sm.vm.Close()
			}
			nets = make([]*sampler, workers)
			for w := range nets {
				var err error
				if nets[w], err = newSampler(src, rows); err != nil {
					return Bands{}, err
				}
			}
		}
		for _, sm := range nets {
			if err := graph.SetValues(sm.net.X, x[lo*in:hi*in]); err != nil {
				return Bands{}, err
			}
			sm.net.ReloadInputs() // a resident network keeps its own copy of x
		}
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				errs[w] = nets[w].passes(sm.ctx(), trace[:samples*rows*wd], w, workers, samples, seed)
			}(w)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return Bands{}, err
			}
		}
		summarise(trace[:samples*rows*wd], samples, rows, runtime.GOMAXPROCS(0), b.slice(lo, hi), sliceOrNil(y, lo, hi), noise, lo, seed)
	}
	return b, nil
}

// MaxTrace bounds the passes held in memory at once (samples × chunk
// inputs × outputs, float32): with many samples the chunks get smaller.
const MaxTrace = 1 << 26

// chunkRows is the inputs of one chunk: n inputs in balanced chunks of at
// most PredictChunk rows, and fewer rows when samples passes of width wd
// would hold more than maxTrace values (memory bounded whatever samples
// is).
func chunkRows(n, samples, wd, maxTrace int) int {
	chunks := (n + PredictChunk - 1) / PredictChunk
	if lim := max(1, maxTrace/(samples*wd)); (n+chunks-1)/chunks > lim {
		chunks = (n + lim - 1) / lim
	}
	return (n + chunks - 1) / chunks
}

func (sm *Sampler) ctx() context.Context {
	if sm.Ctx == nil {
		return context.Background()
	}
	return sm.Ctx
}

// PredictBatchElements bounds one batched predictive run: K passes of a
// chunk keep K × rows × hidden activations per layer on the device.
const PredictBatchElements = 1 << 27

// predictBatchElements is the bound predictBatched applies:
// PredictBatchElements, lowered by tests to make a small network take
// several runs per chunk.
var predictBatchElements = PredictBatchElements

// predictBatched is Predict for a resident network: K passes per run of a
// predictive graph (graph.NewPredictive). Run r draws epsilon at step r, so
// pass s = r·K + j uses the same weights for every chunk (K depends only on
// samples and the chunk size).
func (sm *Sampler) predictBatched(x, y []float64, samples, size int, seed uint64, trace []float32, b Bands, noise graph.Noise) error {
	c := sm.src.Config
	// A run holds K × rows × width activations per layer and K weight
	// samples of each layer: bound the larger of the two.
	width := max(c.Hidden, c.Inputs, c.Outputs)
	perPass := max(size*width, c.Hidden*max(c.Hidden, c.Inputs, c.Outputs))
	kmax := max(1, predictBatchElements/perPass)
	runs := (samples + kmax - 1) / kmax
	k := (samples + runs - 1) / runs
	copied := false
	in, wd := max(1, c.Inputs), noise.Width()
	for lo := 0; lo < len(x)/in; lo += size {
		hi := min(lo+size, len(x)/in)
		rows := hi - lo
		p := sm.pred
		if p == nil || p.net.Rows != rows || p.net.Samples != k {
			sm.Close()
			net, err := graph.NewPredictive(c, rows, k)
			if err != nil {
				return err
			}
			p = &predictive{net: net}
			G.Read(readable(net.Output), &p.out)
			p.vm = G.NewTapeMachine(net.Graph)
			sm.pred, copied = p, false
		}
		if !copied {
			if err := p.net.CopyParams(sm.src); err != nil {
				return err
			}
			copied = true
		}
		p.net.Store.Seed = philoxSeed(seed, streamPredict)
		if err := graph.SetValues(p.net.X, x[lo*in:hi*in]); err != nil {
			return err
		}
		p.net.ReloadInputs()
		for r := 0; r < runs; r++ {
			if err := sm.ctx().Err(); err != nil {
				return err
			}
			if err := p.net.SetStep(uint64(r)); err != nil {
				return err
			}
			if err := p.vm.RunAll(); err != nil {
				return fmt.Errorf("train: predictive passes %d..%d: %w", r*k, min(samples, (r+1)*k)-1, err)
			}
			// A run's output is (k, rows, wd): passes past samples are dropped.
			m := min(k, samples-r*k) * rows * wd
			dst := trace[r*k*rows*wd : r*k*rows*wd+m]
			switch v := p.out.Data().(type) {
			case []float32:
				copy(dst, v[:m])
			case []float64:
				for i := range dst {
					dst[i] = float32(v[i])
				}
			default:
				return fmt.Errorf("train: predictive passes: output %T", p.out.Data())
			}
			p.vm.Reset()
		}
		summarise(trace[:samples*rows*wd], samples, rows, runtime.GOMAXPROCS(0), b.slice(lo, hi), sliceOrNil(y, lo, hi), noise, lo, seed)
	}
	return nil
}

// slice returns the bands of inputs lo..hi-1 (sharing b's arrays).
func (b Bands) slice(lo, hi int) Bands {
	s := Bands{Mean: b.Mean[lo:hi], Q05: b.Q05[lo:hi], Q95: b.Q95[lo:hi],
		TotalQ05: b.TotalQ05[lo:hi], TotalQ95: b.TotalQ95[lo:hi],
		PIT: sliceOrNil(b.PIT, lo, hi), LogDensity: sliceOrNil(b.LogDensity, lo, hi),
		Std: sliceOrNil(b.Std, lo, hi), Levels: b.Levels}
	for _, q := range b.Q {
		s.Q = append(s.Q, q[lo:hi])
	}
	return s
}

func sliceOrNil(v []float64, lo, hi int) []float64 {
	if v == nil {
		return nil
	}
	return v[lo:hi]
}

// sampler is one worker's forward-only copy of src, with its machine.
type sampler struct {
	net *graph.Network
	vm  G.VM
	out G.Value
}

func newSampler(src *graph.Network, rows int) (*sampler, error) {
	net, err := graph.NewForward(src.Config, rows)
	if err != nil {
		return nil, err
	}
	if err := net.CopyParams(src); err != nil {
		return nil, err
	}
	sm := &sampler{net: net}
	G.Read(readable(net.Output), &sm.out)
	sm.vm = G.NewTapeMachine(net.Graph)
	return sm, nil
}

// passes runs passes w, w+workers, ... into trace.
func (sm *sampler) passes(ctx context.Context, trace []float32, w, workers, samples int, seed uint64) error {
	net, vm := sm.net, sm.vm
	n := sm.net.Output.Shape().TotalSize() // rows × width
	src0 := rand.NewPCG(seed, 0)
	rng := rand.New(src0)
	if net.Store != nil {
		net.Store.Seed = philoxSeed(seed, streamPredict)
	}
	for s := w; s < samples; s += workers {
		if err := ctx.Err(); err != nil {
			return err
		}
		if net.Store != nil {
			if err := net.SetStep(uint64(s)); err != nil {
				return err
			}
		} else {
			src0.Seed(seed, streamPredict+uint64(s))
			if err := net.FillEps(rng); err != nil {
				return err
			}
		}
		if err := vm.RunAll(); err != nil {
			return fmt.Errorf("train: predictive pass %d: %w", s, err)
		}
		row := trace[s*n : (s+1)*n]
		switch d := sm.out.Data().(type) {
		case []float32:
			copy(row, d)
		case []float64:
			for i, v := range d {
				row[i] = float32(v)
			}
		default:
			return fmt.Errorf("train: predictive pass %d: output %T", s, sm.out.Data())
		}
		vm.Reset()
	}
	return nil
}

// summarise writes mean and quantiles per input into b, inputs split over
// workers goroutines (every core: sorting 1000 passes of 4000 inputs is
// about 0.2 s on one, as long as the GPU takes for the passes). The total
// band and, with y, the scores come from summariseTotal (calibration.go);
// lo is the first input's index in the whole set (its noise stream).
func summarise(trace []float32, samples, n, workers int, b Bands, y []float64, noise graph.Noise, lo0 int, seed uint64) {
	wd := noise.Width()
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			col := make([]float64, samples)
			tot := newTotalScratch(samples, seed)
			for i := lo; i < hi; i++ {
				var sum float64
				for s := range col {
					col[s] = float64(trace[(s*n+i)*wd])
					sum += col[s]
				}
				tot.load(trace, samples, n, i, noise)
				slices.Sort(col)
				mean := sum / float64(samples)
				b.Mean[i] = mean
				b.Q05[i] = metrics.Quantile(col, 0.05)
				b.Q95[i] = metrics.Quantile(col, 0.95)
				if b.Std != nil {
					var ss float64
					for _, v := range col {
						ss += (v - mean) * (v - mean)
					}
					b.Std[i] = math.Sqrt(ss / float64(samples-1))
					for k, q := range b.Levels {
						b.Q[k][i] = metrics.Quantile(col, q)
					}
				}
				tot.summarise(b, i, lo0+i, y)
			}
		}(lo, hi)
	}
	wg.Wait()
}
