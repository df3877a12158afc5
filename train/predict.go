package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/graph"
)

// Bands is the predictive distribution at each input: the mean of the
// stochastic passes and their 5% and 95% quantiles.
type Bands struct {
	Mean, Q05, Q95 []float64
}

// Predict runs samples stochastic forward passes of src's current
// parameters over x and summarises them per input. Sample s draws its
// epsilon from the stream (seed, streamPredict+s), so the result does not
// depend on workers, the number of goroutines sharing the passes.
func Predict(src *graph.Network, x []float64, samples, workers int, seed uint64) (Bands, error) {
	if samples < 2 {
		return Bands{}, fmt.Errorf("train: samples %d: need at least 2", samples)
	}
	if len(x) == 0 {
		return Bands{}, fmt.Errorf("train: predict: no inputs")
	}
	workers = max(1, min(workers, samples))
	n := len(x)
	trace := make([]float32, samples*n) // trace[s*n+i]: pass s at input i
	// Graphs are built here, one goroutine at a time; only running them is
	// concurrent (each worker owns its graph, machine and buffers).
	nets := make([]*graph.Network, workers)
	for w := range nets {
		var err error
		if nets[w], err = forwardNet(src, x); err != nil {
			return Bands{}, err
		}
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs[w] = samplePasses(nets[w], trace, w, workers, samples, seed)
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Bands{}, err
		}
	}
	return summarise(trace, samples, n, workers), nil
}

// forwardNet is a forward-only copy of src over inputs x.
func forwardNet(src *graph.Network, x []float64) (*graph.Network, error) {
	net, err := graph.NewForward(src.Config, len(x))
	if err != nil {
		return nil, err
	}
	if err := graph.SetValues(net.X, x); err != nil {
		return nil, err
	}
	if err := net.CopyParams(src); err != nil {
		return nil, err
	}
	return net, nil
}

// samplePasses runs passes w, w+workers, ... on net, a graph of its own.
func samplePasses(net *graph.Network, trace []float32, w, workers, samples int, seed uint64) error {
	n := net.Rows
	var out G.Value
	G.Read(net.Output, &out)
	vm := G.NewTapeMachine(net.Graph)
	defer vm.Close()
	src0 := rand.NewPCG(seed, 0)
	rng := rand.New(src0)
	for s := w; s < samples; s += workers {
		src0.Seed(seed, streamPredict+uint64(s))
		if err := net.FillEps(rng); err != nil {
			return err
		}
		if err := vm.RunAll(); err != nil {
			return fmt.Errorf("train: predictive pass %d: %w", s, err)
		}
		row := trace[s*n : (s+1)*n]
		switch d := out.Data().(type) {
		case []float32:
			copy(row, d)
		case []float64:
			for i, v := range d {
				row[i] = float32(v)
			}
		default:
			return fmt.Errorf("train: predictive pass %d: output %T", s, out.Data())
		}
		vm.Reset()
	}
	return nil
}

// summarise computes mean and quantiles per input, inputs split over workers.
func summarise(trace []float32, samples, n, workers int) Bands {
	b := Bands{Mean: make([]float64, n), Q05: make([]float64, n), Q95: make([]float64, n)}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			col := make([]float64, samples)
			for i := lo; i < hi; i++ {
				var sum float64
				for s := range col {
					col[s] = float64(trace[s*n+i])
					sum += col[s]
				}
				slices.Sort(col)
				b.Mean[i] = sum / float64(samples)
				b.Q05[i] = Quantile(col, 0.05)
				b.Q95[i] = Quantile(col, 0.95)
			}
		}(lo, hi)
	}
	wg.Wait()
	return b
}

// Quantile returns the q-quantile of sorted values by linear interpolation
// between order statistics (numpy's default, used by the seed).
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
