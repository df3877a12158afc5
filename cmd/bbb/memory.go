package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/train"
)

// memJob is what a command builds, which decides the parts of its memory.
type memJob int

const (
	// memTrain: a training graph over the data, Adam's state, and the
	// predictive passes (train, bench).
	memTrain memJob = iota
	// memPredict: the predictive passes over the data only (predict).
	memPredict
	// memGraph: graph nodes without values (dot): it grows with the
	// layers only, not with the rows.
	memGraph
)

// memSizes are the sizes a run's memory grows with, and how the user set
// each one (for the error): "--points 20000" unless the command says
// otherwise ("--data d.csv (2000000 rows)", "--hidden-sizes 4096",
// "--model m.npz (hidden 100)").
type memSizes struct {
	job                                              memJob
	points, hidden, layers, samples, workers, inputs int
	dtypeBytes                                       int
	gradients                                        bool // memGraph: with the gradient nodes (dot --grad)
	pointsFrom, hiddenFrom, layersFrom               string
}

// memTerm is one part of a run's memory and the setting that drives it.
type memTerm struct {
	from  string // the flag and value to lower
	bytes float64
}

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
)

// estimateMemory is the estimate of a run's peak memory in bytes (host
// graphs), within 2x of the measured peak at the sizes docs/MEMORY.md
// lists, and the term that dominates it, which names the setting to lower.
func estimateMemory(s memSizes) (float64, memTerm) {
	f := func(v int) float64 { return float64(max(v, 1)) }
	b := f(s.dtypeBytes)
	rows, width, in := f(s.points), f(s.hidden), f(s.inputs)
	hiddenLayers := f(s.layers - 1) // the layers whose outputs are hidden wide
	params := (width*width*math.Max(f(s.layers)-2, 0) + width*(in+2)) * b
	chunk := math.Min(rows, train.PredictChunk)
	trace := math.Min(f(s.samples)*chunk, train.MaxTrace) * 4
	names := s.names()
	// A product of sizes is blamed on the one furthest above its default
	// (20000 points, hidden 20, 5 layers; hidden counts twice in the
	// parameters, which grow with its square).
	blame := func(byRows, byHidden, byLayers float64) string {
		ratio := []float64{byRows * rows / 20000, byHidden * width / 20, byLayers * f(s.layers) / 5}
		i := 0
		for j, r := range ratio {
			if r > ratio[i] {
				i = j
			}
		}
		return names[i]
	}
	var terms []memTerm
	base := float64(memBase)
	switch s.job {
	case memGraph:
		// Nodes, no values: 20 MiB at any --rows, 26-30 MiB at 50-200
		// layers; with the gradient nodes 28, 78 and 130 MiB at 5, 50 and
		// 200 layers (hidden 100).
		perLayer := 0.05
		if s.gradients {
			perLayer = 0.7
		}
		// The weight tensors are allocated but never written: no RSS (21 MiB
		// at hidden 2000), yet their address space must be had (hidden
		// 100000 asks for 40 GB in one piece, and fails).
		terms = []memTerm{{names[2], f(s.layers) * perLayer * (1 << 20)}, {blame(0, 2, 1), params}}
		base = 20 << 20
	case memPredict:
		terms = []memTerm{
			{names[0], rows * (in*8*2 + memPredictRow)},
			{workersName(s, blame(0, 1, 1)), f(s.workers) * (params*memWorkerCopies + chunk*width*hiddenLayers*b*2)},
			{fmt.Sprintf("--samples %d", s.samples), trace},
		}
	default:
		terms = []memTerm{
			{blame(1, 1, 1), rows * width * hiddenLayers * b * memActBuffers},
			{names[0], rows * (in + 2) * 8 * 2},
			{blame(0, 2, 1), params * memTrainCopies},
			{workersName(s, blame(0, 2, 1)), f(s.workers) * (params*memWorkerCopies + chunk*width*hiddenLayers*b*2)},
			{fmt.Sprintf("--samples %d", s.samples), trace},
		}
	}
	total := base
	top := terms[0]
	for _, t := range terms {
		total += t.bytes
		if t.bytes > top.bytes {
			top = t
		}
	}
	return total, top
}

// names is how the user set the rows, the hidden width and the layers.
func (s memSizes) names() [3]string {
	n := [3]string{s.pointsFrom, s.hiddenFrom, s.layersFrom}
	for i, d := range [3]string{fmt.Sprintf("--points %d", s.points), fmt.Sprintf("--hidden %d", s.hidden), fmt.Sprintf("--layers %d", s.layers)} {
		if n[i] == "" {
			n[i] = d
		}
	}
	return n
}

// workersName blames the per-worker term on --workers when there are more
// of them than cores could use, else on the model's size.
func workersName(s memSizes, model string) string {
	if s.workers > defaultWorkers() {
		return fmt.Sprintf("--workers %d", s.workers)
	}
	return model
}

// memoryLimit is --max-memory: the memory a run may take, instead of what
// the machine has available now (0: unset).
type memoryLimit struct{ bytes float64 }

// register adds --max-memory to a command that has the memory check.
func (l *memoryLimit) register(fs *flag.FlagSet) {
	fs.Var(l, "max-memory", "memory the run may use, e.g. 12GiB or 800M (default: what the machine has available); "+
		"a run estimated above it is refused before it starts (docs/MEMORY.md)")
}

func (l *memoryLimit) String() string {
	if l == nil || l.bytes == 0 {
		return ""
	}
	return bytesText(l.bytes)
}

// Set reads a size: a number with an optional unit K, M, G or T (powers of
// 1024; KiB, KB and k alike), bytes without one.
func (l *memoryLimit) Set(v string) error {
	num := strings.ToUpper(strings.TrimSpace(v))
	unit := 1.0
units:
	for i, u := range []string{"K", "M", "G", "T"} {
		for _, suffix := range []string{u + "IB", u + "B", u} {
			if rest, ok := strings.CutSuffix(num, suffix); ok {
				num, unit = strings.TrimSpace(rest), math.Pow(1024, float64(i+1))
				break units
			}
		}
	}
	if unit == 1 {
		num = strings.TrimSpace(strings.TrimSuffix(num, "B"))
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || !(x > 0) || math.IsInf(x*unit, 0) {
		return fmt.Errorf("%q: want a size > 0 such as 12GiB, 800M or 500000000", v)
	}
	l.bytes = x * unit
	return nil
}

// checkMemory refuses a run whose estimate exceeds --max-memory, or the
// available memory without it, naming the setting of its largest part.
func checkMemory(s memSizes, limit memoryLimit) error {
	need, top := estimateMemory(s)
	if limit.bytes > 0 {
		if need > limit.bytes {
			return usagef("%s: the run needs about %s of memory, over --max-memory %s", top.from, bytesText(need), bytesText(limit.bytes))
		}
		return nil
	}
	if avail := availableMemory(); avail > 0 && need > avail {
		return usagef("%s: the run needs about %s of memory, over the %s available (--max-memory overrides)", top.from, bytesText(need), bytesText(avail))
	}
	return nil
}

func bytesText(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return strconv.FormatFloat(b, 'f', 1, 64) + " " + units[i]
}

// availableMemory is MemAvailable from /proc/meminfo, lowered to the
// cgroup's limit less its usage where there is one; 0 if unknown.
func availableMemory() float64 {
	var avail float64
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
				var kb float64
				if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb); err == nil {
					avail = kb * 1024
				}
			}
		}
		f.Close()
	}
	limit := readNumber("/sys/fs/cgroup/memory.max")
	used := readNumber("/sys/fs/cgroup/memory.current")
	if limit > 0 && (avail == 0 || limit-used < avail) {
		avail = max(limit-used, 0)
	}
	return avail
}

func readNumber(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		return 0
	}
	return v
}
