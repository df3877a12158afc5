package job

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/rundir"
)

// BenchSettings are bbb bench's sweep as a user gives it, beside its
// model (ModelSettings): the sizes to time as comma-separated lists
// (HiddenSizes; PointsList and LayersList, "": the model's one size), the
// timed steps (Steps, at most Seconds), the untimed ones first (Warmup,
// 0: none), the predictive passes (Passes), and the files: the reports
// of other backends to compare (Compare), the output folder (Out) and its
// figure's Format; Quiet: no progress lines.
type BenchSettings struct {
	HiddenSizes string  `flag:"hidden-sizes" default:"20,64,128,256" help:"comma-separated hidden widths to sweep (the GPU sweep adds 512,1024)" effect:"!hidden: --hidden is the one width timed"`
	PointsList  string  `flag:"points-list" help:"comma-separated data sizes to sweep (default: --points)"`
	LayersList  string  `flag:"layers-list" help:"comma-separated layer counts to sweep (default: --layers)"`
	Steps       int     `flag:"epochs" default:"30" help:"timed training steps per size at most"`
	Seconds     float64 `flag:"seconds" default:"2" help:"stop timing a size after this many seconds (at least 3 steps)"`
	Warmup      int     `flag:"warmup" default:"3" help:"untimed steps first"`
	Passes      int     `flag:"samples" default:"50" help:"predictive passes timed per size over the validation inputs"`
	Compare     string  `flag:"compare" help:"comma-separated bench.json files of other backends (the CPU build's, scripts/torch_bench.py's, ...) to put in the same table and figure"`
	Out         string  `flag:"out" default:"out/bench" help:"output directory for bench.json and the figure"`
	Format      string  `flag:"format" default:"png" help:"figure format: png, svg or pdf"`
	Quiet       bool    `flag:"q" help:"no progress on stderr"`
}

// Sizes returns the sweep's lists of hidden widths, data sizes and
// layer counts: HiddenSizes (m.Hidden alone if oneHidden), PointsList and
// LayersList, each defaulting to m's size. A bad list is a *SettingError.
func (b BenchSettings) Sizes(m *ModelSettings, oneHidden bool) (hidden, points, layers []int, err error) {
	if hidden, err = ParseSizes("HiddenSizes", b.HiddenSizes); err != nil {
		return nil, nil, nil, err
	}
	if oneHidden {
		hidden = []int{m.Hidden}
	}
	points, layers = []int{m.Points}, []int{m.Layers}
	if b.PointsList != "" {
		if points, err = ParseSizes("PointsList", b.PointsList); err != nil {
			return nil, nil, nil, err
		}
		for _, p := range points {
			if p < MinPoints {
				return nil, nil, nil, &SettingError{Setting: "PointsList", Value: b.PointsList, Reason: fmt.Sprintf("%d points: need at least %d", p, MinPoints)}
			}
		}
	}
	if b.LayersList != "" {
		if layers, err = ParseSizes("LayersList", b.LayersList); err != nil {
			return nil, nil, nil, err
		}
	}
	return hidden, points, layers, nil
}

// ParseSizes reads a comma-separated list of distinct positive integers
// (a size listed twice would be timed twice); a bad one is a
// *SettingError for setting.
func ParseSizes(setting, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, &SettingError{Setting: setting, Reason: fmt.Sprintf("%q is not a positive integer", f)}
		}
		if slices.Contains(out, v) {
			return nil, &SettingError{Setting: setting, Value: s, Reason: fmt.Sprintf("%d listed twice", v)}
		}
		out = append(out, v)
	}
	return out, nil
}

// Check checks the timing: Steps from 3 to bench.MaxSteps (Seconds ends
// the timing sooner), Warmup from 0 to bench.MaxWarmup, at least 2
// Passes, Seconds > 0. The first bad one is a *SettingError.
func (b BenchSettings) Check() error {
	switch {
	case b.Steps < 3 || b.Steps > bench.MaxSteps:
		return &SettingError{Setting: "Steps", Value: strconv.Itoa(b.Steps), Refs: []string{"Seconds"},
			Reason: fmt.Sprintf("want 3 to %d ({Seconds} ends the timing sooner)", bench.MaxSteps)}
	case b.Warmup < 0 || b.Warmup > bench.MaxWarmup:
		return &SettingError{Setting: "Warmup", Value: strconv.Itoa(b.Warmup), Refs: []string{"Seconds"},
			Reason: fmt.Sprintf("want 0 to %d (untimed steps, which {Seconds} does not end)", bench.MaxWarmup)}
	case b.Passes < 2:
		return intSettingError("Passes", b.Passes, "need at least 2")
	case !(b.Seconds > 0):
		return &SettingError{Setting: "Seconds", Value: fmt.Sprint(b.Seconds), Reason: "need a value > 0"}
	}
	return nil
}

// Config is the bench.Config of one size's timing, training as m
// (TrainConfig) with the resident graph if resident.
func (b BenchSettings) Config(m *ModelSettings, resident bool) bench.Config {
	warmup := b.Warmup
	if warmup == 0 { // (bench.Config's 0 is its default: Warmup 0 is none)
		warmup = -1
	}
	return bench.Config{Train: m.TrainConfig(resident), Steps: b.Steps, Warmup: warmup, Passes: b.Passes, Seconds: b.Seconds}
}

// CheckSizes checks every size of the sweep sw (b's, for model m; bbb
// bench's --hidden if oneHidden) before any is timed: the network's sizes
// within modelfile.CheckSize's bounds against avail bytes, the memory
// each needs (fits: memory.Check against a limit, with the run's
// workers), and m's BatchSize against each data size's training rows.
// The sizes are named by the lists they came from ("--hidden-sizes
// 4096"); a bad batch size is a *SettingError.
func (b BenchSettings) CheckSizes(m *ModelSettings, sw bench.Sweep, oneHidden bool, avail float64, fits func(memory.Sizes) error) error {
	hiddenFlag, layersFlag := "--hidden", "--layers"
	if !oneHidden {
		hiddenFlag = "--hidden-sizes"
	}
	if b.LayersList != "" {
		layersFlag = "--layers-list"
	}
	for _, z := range sw.Sizes() {
		g := sw.Config.Train.Graph
		g.Layers, g.Hidden = z.Layers, z.Hidden
		var se *modelfile.SizeError
		if errors.As(modelfile.CheckSize(g, avail), &se) {
			return errors.New(se.Named(hiddenFlag, layersFlag))
		}
		s := memory.Sizes{Points: z.Points, Hidden: z.Hidden, Layers: z.Layers, Samples: b.Passes, Workers: m.Workers, Inputs: 1, DtypeBytes: m.DtypeBytes()}
		if b.PointsList != "" { // name the list the size came from
			s.PointsFrom = fmt.Sprintf("--points-list %d", z.Points)
		}
		if !oneHidden {
			s.HiddenFrom = fmt.Sprintf("--hidden-sizes %d", z.Hidden)
		}
		if b.LayersList != "" {
			s.LayersFrom = fmt.Sprintf("--layers-list %d", z.Layers)
		}
		if err := fits(s); err != nil {
			return err
		}
	}
	if m.BatchSize > 0 {
		for _, p := range sw.Points { // sizes checked above: making the data is cheap now
			d, err := data.MakeCurve(data.CurveConfig{N: p}, m.Seed)
			if err != nil {
				return fmt.Errorf("--points %d: %v", p, err)
			}
			if err := m.CheckBatch(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// CompareFiles are the files of Compare, each once (two paths to one
// file are one backend); a bad list is a *SettingError.
func (b BenchSettings) CompareFiles() ([]string, error) {
	if b.Compare == "" {
		return nil, nil
	}
	var files []string
	for _, file := range strings.Split(b.Compare, ",") {
		file = strings.TrimSpace(file)
		if file == "" {
			return nil, &SettingError{Setting: "Compare", Value: strconv.Quote(b.Compare), Reason: "empty file name in the list"}
		}
		if i := slices.IndexFunc(files, func(c string) bool { return rundir.SamePath(c, file) }); i >= 0 {
			return nil, &SettingError{Setting: "Compare", Reason: fmt.Sprintf("%s and %s are one file (each backend once)", files[i], file)}
		}
		files = append(files, file)
	}
	return files, nil
}
