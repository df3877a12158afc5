package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/train"
)

// memSizes are the sizes a run's memory grows with.
type memSizes struct {
	points, hidden, layers, samples, workers, inputs int
	dtypeBytes                                       int
}

// memTerm is one part of a run's memory and the flag that sets it.
type memTerm struct {
	flag  string
	value int
	bytes float64
}

// estimateMemory is a rough upper estimate of a run's peak memory in bytes
// (host graphs): the data, the training and validation graphs (about ten
// rows × hidden buffers per layer for training, three for validation), the
// parameters with their gradients and Adam state, and per predictive worker
// a forward graph over one chunk of inputs, plus the trace of passes (at
// most train.MaxTrace values, whatever --samples is). It returns the total
// and the term that dominates it, which names the flag to lower.
func estimateMemory(s memSizes) (float64, memTerm) {
	f := func(v int) float64 { return float64(max(v, 1)) }
	b := f(s.dtypeBytes)
	rows := f(s.points)
	width := f(s.hidden)
	layers := f(s.layers)
	in := f(s.inputs)
	chunk := math.Min(rows, train.PredictChunk)
	trace := math.Min(f(s.samples)*chunk, train.MaxTrace) * 4
	params := (width*width*(layers-1) + width*(in+2)) * b
	terms := []memTerm{
		{"--points", s.points, rows*(in+2)*8*3 + rows*width*layers*b*13},
		{"--hidden", s.hidden, params * (16 + 6*f(s.workers))},
		{"--workers", s.workers, f(s.workers) * chunk * width * layers * b * 4},
		{"--samples", s.samples, trace + f(s.samples)*8*f(s.workers)},
	}
	total := 64.0 * (1 << 20) // the program itself
	top := terms[0]
	for _, t := range terms {
		total += t.bytes
		if t.bytes > top.bytes {
			top = t
		}
	}
	return total, top
}

// checkMemory refuses a run whose estimate exceeds the available memory,
// naming the flag of its largest part.
func checkMemory(s memSizes) error {
	need, top := estimateMemory(s)
	avail := availableMemory()
	if avail > 0 && need > avail {
		return usagef("%s %d: the run needs about %s of memory, %s is available", top.flag, top.value, bytesText(need), bytesText(avail))
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
