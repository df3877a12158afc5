package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unicode"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/graph"
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
	// memBandit: one training graph of --batch rows per agent (bandit),
	// its parameters' copies and its replay buffer.
	memBandit
)

// memSizes are the sizes a run's memory grows with, and how the user set
// each one (for the error): "--points 20000" unless the command says
// otherwise ("--data d.csv (2000000 rows)", "--hidden-sizes 4096",
// "--model m.npz (hidden 100)").
type memSizes struct {
	job                                              memJob
	points, hidden, layers, samples, workers, inputs int
	dtypeBytes                                       int
	levels                                           int  // memPredict: --quantiles' levels
	buffer                                           int  // memBandit: interactions kept per agent (workers: the agents)
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
	// Bytes per batch row of a bandit agent's graph, per value of
	// (hidden · depth + inputs) and dtype byte: 494.7 MiB measured for 4
	// agents at --batch 20000, hidden 100, depth 2, 117+2 inputs.
	memBanditRow = 4.6
	// memBanditBase: the program without a training run's libraries.
	memBanditBase = 20 << 20
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
	trace := traceBytes(f(s.samples), chunk)
	samplesName := fmt.Sprintf("--samples %d", s.samples)
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
		// The input and target tensors of --rows rows, also allocated and
		// never written (inputs, the output, stock ops' column of ones):
		// dot --rows 30000000000 asked for 120 GB in one piece.
		terms = []memTerm{{names[2], f(s.layers) * perLayer * (1 << 20)}, {blame(0, 2, 1), params}, {names[0], rows * (in + 2) * b}}
		base = 20 << 20
	case memBandit:
		// Each agent's share is blamed on the size furthest above bandit's
		// defaults (4 agents, --batch 64, --hidden 100, --depth 2).
		agents := f(s.workers)
		top := func(byRows, byHidden, byLayers float64) string {
			name, r := fmt.Sprintf("--agents (%d agents)", s.workers), agents/4
			for i, x := range []float64{byRows * rows / 64, byHidden * width / 100, byLayers * (f(s.layers) - 1) / 2} {
				if x > r {
					name, r = names[i], x
				}
			}
			return name
		}
		terms = []memTerm{
			{top(1, 1, 1), agents * rows * (width*hiddenLayers + in) * b * memBanditRow},
			{top(0, 2, 1), agents * params * memTrainCopies},
			{fmt.Sprintf("--buffer %d", s.buffer), agents * f(s.buffer) * 9}, // mushroom, action, reward
		}
		base = memBanditBase
	case memPredict:
		terms = []memTerm{
			{names[0], rows * (in*8*2 + memPredictRow)},
			{workersName(s, blame(0, 1, 1)), f(s.workers) * (params*memWorkerCopies + chunk*width*hiddenLayers*b*2)},
			{samplesName, trace},
			// memPredictRow holds the default's three levels; each more is
			// a column of float64 per row.
			{fmt.Sprintf("--quantiles (%d levels)", s.levels), rows * float64(max(s.levels-3, 0)) * 8},
		}
	default:
		terms = []memTerm{
			{blame(1, 1, 1), rows * width * hiddenLayers * b * memActBuffers},
			{names[0], rows * (in + 2) * 8 * 2},
			{blame(0, 2, 1), params * memTrainCopies},
			{workersName(s, blame(0, 2, 1)), f(s.workers) * (params*memWorkerCopies + chunk*width*hiddenLayers*b*2)},
			{samplesName, trace},
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

// traceBytes is what the predictive passes hold at once (train's Bands and
// chunkRows): samples passes over the rows of a chunk in float32, the rows
// fewer with many samples (at most train.MaxTrace values) but at least one
// (so samples × 4 bytes whatever the bound), and, for each summarising
// goroutine (one per core, at most one per row), four float64 columns of
// samples (the sorted passes and the total band's draws).
func traceBytes(samples, chunk float64) float64 {
	rows := math.Min(chunk, math.Max(1, math.Floor(train.MaxTrace/samples)))
	return samples*rows*4 + samples*32*math.Min(float64(runtime.GOMAXPROCS(0)), rows)
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

// maxMemoryLimit is the largest --max-memory: 16 EiB, all that a 64-bit
// process can address (a larger limit would mean nothing).
const maxMemoryLimit = 1 << 64

// Set reads a size: a number with an optional unit K, M, G, T, P or E
// (powers of 1024; KiB, KB and k alike), bytes without one or with B;
// from 1 byte to 16 EiB, rounded to whole bytes. Each error says what is
// wrong (the unit, the number, the range), not only that it is.
func (l *memoryLimit) Set(v string) error {
	s := strings.TrimSpace(v)
	i := len(s)
	for i > 0 && unicode.IsLetter(rune(s[i-1])) {
		i--
	}
	num, unit := strings.TrimSpace(s[:i]), strings.ToUpper(s[i:])
	scale, ok := sizeUnit(unit)
	switch {
	case num == "":
		return fmt.Errorf("want a number with an optional unit, such as 12GiB, 800M or 500000000")
	case !ok:
		return fmt.Errorf("unit %q: want B, K, M, G, T, P or E (powers of 1024: 12GiB, 800M), or none for bytes", s[i:])
	}
	x, err := strconv.ParseFloat(num, 64)
	bytes := x * scale
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return fmt.Errorf("%q is not a number: want a size such as 12GiB, 800M or 500000000", num)
	case math.IsNaN(x) || math.IsInf(x, 0) || errors.Is(err, strconv.ErrRange) && x != 0 || bytes > maxMemoryLimit:
		return fmt.Errorf("want at most 16EiB (all that a 64-bit process can address)")
	case !(math.Round(bytes) >= 1):
		return fmt.Errorf("want a size of at least 1 byte, such as 12GiB or 800M")
	}
	l.bytes = math.Round(bytes)
	return nil
}

// sizeUnit is the bytes of a --max-memory unit (upper-cased); false for
// an unknown one.
func sizeUnit(u string) (float64, bool) {
	if u == "" || u == "B" {
		return 1, true
	}
	for i, p := range "KMGTPE" {
		if u == string(p) || u == string(p)+"B" || u == string(p)+"IB" {
			return math.Pow(1024, float64(i+1)), true
		}
	}
	return 0, false
}

// checkMemory refuses a run whose estimate exceeds --max-memory, or the
// available memory without it, naming the setting of its largest part.
func checkMemory(s memSizes, limit memoryLimit) error {
	return checkMemoryHint(s, limit, " (--max-memory overrides)")
}

// checkMemoryHint is checkMemory with the hint that follows a refusal over
// the available memory (none for a command without --max-memory).
func checkMemoryHint(s memSizes, limit memoryLimit, hint string) error {
	need, top := estimateMemory(s)
	if limit.bytes > 0 {
		// --max-memory raises the limit to the machine's memory and swap at
		// most: past it the allocation fails, and Go dies with a fatal error
		// (no recover) after the run has begun.
		if total := machineMemory(); total > 0 && need > total {
			return usagef("%s: the run needs about %s of memory, over this machine's %s of memory and swap (--max-memory %s cannot raise that)",
				top.from, bytesText(need), bytesText(total), bytesText(limit.bytes))
		}
		if need > limit.bytes {
			return usagef("%s: the run needs about %s of memory, over --max-memory %s", top.from, bytesText(need), bytesText(limit.bytes))
		}
		return nil
	}
	if avail := availableMemory(); avail > 0 && need > avail {
		return usagef("%s: the run needs about %s of memory, over the %s available%s", top.from, bytesText(need), bytesText(avail), hint)
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

// machineMemory is MemTotal plus SwapTotal from /proc/meminfo, lowered to
// the cgroup's limit where there is one; 0 if unknown.
func machineMemory() float64 {
	total := meminfo("MemTotal") + meminfo("SwapTotal")
	if limit := readNumber("/sys/fs/cgroup/memory.max"); limit > 0 && (total == 0 || limit < total) {
		total = limit
	}
	return total
}

// meminfo is the value of a /proc/meminfo field in bytes (0 if absent).
func meminfo(field string) float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			var kb float64
			if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
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

// checkBanditSizes bounds bandit's sizes before any work: --depth by the
// layers a graph may have, --hidden by checkDesc, and the memory of every
// agent's graph (--batch rows), parameters and --buffer against what is
// available. width is the mushrooms' one-hot context.
func checkBanditSizes(c bandit.Config, width int) error {
	c = c.WithDefaults()
	if c.Depth >= maxLayers {
		return usagef("--depth %d: want 1 to %d (the graph's layers are --depth + 1, at most %d)", c.Depth, maxLayers-1, maxLayers)
	}
	const actions = 2 // the context's one-hot action (eat, pass) joins the inputs
	cfg := graph.Config{Layers: c.Depth + 1, Hidden: c.Hidden, Inputs: width + actions, Outputs: 1}
	if err := checkDescAs(cfg, "--hidden", "layers (--depth + 1)"); err != nil {
		return err
	}
	return checkMemoryHint(memSizes{job: memBandit, points: c.Batch, hidden: c.Hidden, layers: c.Depth + 1, inputs: width + actions,
		workers: len(c.Agents), buffer: c.Buffer, dtypeBytes: 4, pointsFrom: fmt.Sprintf("--batch %d", c.Batch),
		hiddenFrom: fmt.Sprintf("--hidden %d", c.Hidden), layersFrom: fmt.Sprintf("--depth %d", c.Depth)}, memoryLimit{}, "")
}
