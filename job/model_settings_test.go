package job

import (
	"errors"
	"math"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/nodes"
)

// seedSettings are bbb train's defaults: the seed's model.
func seedSettings() ModelSettings {
	return ModelSettings{Layers: 5, Hidden: 20, Points: 20000, Workers: 1, Threads: 1, LR: 0.01, NBatch: 1,
		PriorSigma: 1, LikelihoodSigma: 0.1, LRGamma: 0.1, Dtype: "float32", Seed: 1,
		Prior: "normal", PriorPi: 0.5, PriorSigma1: 1, PriorSigma2: math.Exp(-6), KL: "mc", Likelihood: "fixed",
		MinSigma: graph.DefaultMinSigma, MCSamples: 1, KLWeight: "uniform"}
}

// Each bad setting is named with its value as given, and other settings
// its reason names are listed in Refs (rendered by Text).
func TestModelSettingsCheck(t *testing.T) {
	for _, c := range []struct {
		set  func(*ModelSettings)
		want string // Text, each setting as <Setting>; "": no error
	}{
		{func(*ModelSettings) {}, ""},
		{func(s *ModelSettings) { s.Layers = 0 }, "<Layers> 0: need at least 1"},
		{func(s *ModelSettings) { s.Hidden = -1 }, "<Hidden> -1: need a value > 0"},
		{func(s *ModelSettings) { s.Points = 9 }, "<Points> 9: need at least 10"},
		{func(s *ModelSettings) { s.Threads = MaxThreads + 1 }, "<Threads> 4097: want 0 (all cores) to 4096"},
		{func(s *ModelSettings) { s.LR = math.NaN() }, "<LR> NaN: need a value > 0 and at most 10 (Adam's step per epoch; past it a run only diverges)"},
		{func(s *ModelSettings) { s.LR = 1e-320 }, "<LR> 1e-320: need at least 1.18e-38 (float32's smallest normal number: a smaller rate rounds to 0, and nothing trains)"},
		{func(s *ModelSettings) { s.LR, s.LRGamma, s.LRMilestones = 1e-30, 1e-10, "10" }, "<LRGamma> 1e-10: <LR> 1e-30 falls to 1e-40 over <LRMilestones> \"10\"; need at least 1.18e-38 (float32's smallest normal number: a smaller rate rounds to 0, and nothing trains)"},
		{func(s *ModelSettings) { s.LRGamma = math.Inf(1) }, "<LRGamma> +Inf: need a finite value > 0"},
		{func(s *ModelSettings) { s.NBatch = 1e13 }, "<NBatch> 1e+13: need a value from 1e-06 to 1e+12 (beyond, the loss overflows)"},
		{func(s *ModelSettings) { s.Dtype = "half" }, `<Dtype> "half": want float32 or float64`},
		{func(s *ModelSettings) { s.Prior = "cauchy" }, `<Prior> "cauchy": want normal or mixture`},
		{func(s *ModelSettings) { s.PriorPi = 1 }, "<PriorPi> 1: need 0 < pi < 1"},
		{func(s *ModelSettings) { s.MinSigma = 0 }, "<MinSigma> 0: need a value from 1e-06 to 1e+06 (beyond, the loss overflows)"},
		{func(s *ModelSettings) { s.KL = "exact" }, `<KL> "exact": want mc or closed`},
		{func(s *ModelSettings) { s.BatchSize = -1 }, "<BatchSize> -1: need a value >= 0 (0: full batch)"},
		{func(s *ModelSettings) { s.MCSamples = MaxMCSamples + 1 }, "<MCSamples> 1001: want 1 to 1000 (each draw is a forward and backward pass of every step; past 1000 only the time grows)"},
		{func(s *ModelSettings) { s.LocalReparam = true }, "<LocalReparam>: needs <KL> closed (no weight sample is left for a Monte-Carlo KL)"},
		{func(s *ModelSettings) { s.KL, s.Prior = "closed", "mixture" }, "<KL> closed: the mixture prior has no closed-form KL (use <Prior> normal or <KL> mc)"},
		{func(s *ModelSettings) { s.LR, s.LRGamma, s.LRMilestones = 1, 5, "1,2" }, `<LRGamma> 5: <LR> 1 rises to 25 over <LRMilestones> "1,2"; need at most 10`},
		{func(s *ModelSettings) { s.LRMilestones = "2,1" }, `<LRMilestones> "2,1": learning-rate milestones [2 1]: not increasing (1 after 2); want increasing epochs >= 1, comma-separated`},
	} {
		s := seedSettings()
		c.set(&s)
		err := s.CheckValues(0)
		if err == nil {
			err = s.CheckOptions(false)
		}
		var se *SettingError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("want no error, got %v", err)
		case c.want == "":
		case !errors.As(err, &se):
			t.Errorf("%s: got %v, not a *SettingError", c.want, err)
		case se.Text(func(s string) string { return "<" + s + ">" }) != c.want:
			t.Errorf("got  %s\nwant %s", se.Text(func(s string) string { return "<" + s + ">" }), c.want)
		}
	}
}

// The sizes are checked against the memory given, as a
// *modelfile.SizeError; an option the network cannot build is graph's error.
func TestModelSettingsSizesAndGraph(t *testing.T) {
	s := seedSettings()
	s.Hidden = 1 << 20
	var se *modelfile.SizeError
	if err := s.CheckValues(1e9); !errors.As(err, &se) || se.Kind != modelfile.BadMemory {
		t.Errorf("hidden 1<<20 in 1 GB: %v, want a BadMemory *modelfile.SizeError", err)
	}
	s = seedSettings()
	s.Likelihood = "hetero"
	s.StockOps = true
	err := s.CheckOptions(false)
	if se := (*SettingError)(nil); errors.As(err, &se) {
		t.Errorf("hetero with stock ops: %v is a setting's error, want graph's or none", err)
	}
}

// GraphConfig and TrainConfig carry every setting.
func TestModelSettingsConfig(t *testing.T) {
	s := seedSettings()
	s.Prior, s.PriorPi, s.KL, s.Likelihood, s.LocalReparam = "mixture", 0.25, "closed", "learned", true
	s.BatchSize, s.KLWeight, s.MCSamples, s.LRMilestones, s.Dtype = 100, "blundell", 3, "10,20", "float64"
	c := s.TrainConfig(true)
	g := c.Graph
	if m, ok := g.Prior.(nodes.ScaleMixture); !ok || m.Pi != 0.25 || m.Sigma1 != 1 || m.Sigma2 != math.Exp(-6) {
		t.Errorf("prior %v", g.Prior)
	}
	if g.KL != graph.KLClosed || g.Likelihood.String() != "learned" || g.Estimator != graph.LocalReparam || !g.Resident || g.Dtype.Name() != "float64" {
		t.Errorf("graph %+v", g)
	}
	if c.Batch.Size != 100 || c.MCSamples != 3 || len(c.LRSchedule.Milestones) != 2 || c.LRSchedule.Gamma != 0.1 || c.Data.N != 20000 || c.LearningRate != 0.01 {
		t.Errorf("train %+v", c)
	}
	s.StockOps = true
	if s.GraphConfig(true).Resident {
		t.Error("StockOps: the resident graph")
	}
}

func TestModelSettingsCheckBatch(t *testing.T) {
	s := seedSettings()
	d, err := data.MakeCurve(data.CurveConfig{N: 100}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		batch int
		want  string
	}{{0, ""}, {80, ""}, {81, "job: BatchSize 81: over the 80 training points"}} {
		s.BatchSize = c.batch
		err := s.CheckBatch(d)
		if got := fmtErr(err); got != c.want {
			t.Errorf("batch %d: %q, want %q", c.batch, got, c.want)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestModelSettingsDtypeBytes(t *testing.T) {
	for _, c := range []struct {
		dtype string
		want  int
	}{{"float32", 4}, {"float64", 8}, {"", 4}} {
		if got := (&ModelSettings{Dtype: c.dtype}).DtypeBytes(); got != c.want {
			t.Errorf("%q: %d, want %d", c.dtype, got, c.want)
		}
	}
}

// The tags' defaults are the seed's model, the constants they spell
// included (e^-6, graph.DefaultMinSigma), and its graph is the seed's.
func TestDefaultModelSettings(t *testing.T) {
	if got, want := DefaultModelSettings(), seedSettings(); got != want {
		t.Errorf("DefaultModelSettings() = %+v\nwant the seed's %+v", got, want)
	}
	s := DefaultModelSettings()
	if got, want := s.GraphConfig(false).WithDefaults(), (graph.Config{}).WithDefaults(); got.Layers != want.Layers || got.Hidden != want.Hidden {
		t.Errorf("default graph %d layers of %d, graph.Config's %d of %d", got.Layers, got.Hidden, want.Layers, want.Hidden)
	}
}
