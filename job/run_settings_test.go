package job

import (
	"fmt"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/settingflag"
)

func angled(s string) string { return "<" + s + ">" }

// settingText is err's Text with each setting as <Setting>, "" for nil.
func settingText(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	se, ok := err.(*SettingError)
	if !ok {
		t.Fatalf("%v: not a *SettingError", err)
	}
	return se.Text(angled)
}

func TestRunSettingsCheck(t *testing.T) {
	ok := RunSettings{Epochs: 20, Samples: 2, ReportEvery: 5, CheckpointEvery: 10}
	for _, c := range []struct {
		r    RunSettings
		task graph.Task
		want string
	}{
		{ok, graph.Regression, ""},
		{RunSettings{Epochs: 0, Samples: 2, ReportEvery: 1}, graph.Regression, "<Epochs> 0: need a value > 0"},
		{RunSettings{Epochs: 1, Samples: 1, ReportEvery: 1}, graph.Regression, "<Samples> 1: need at least 2"},
		{RunSettings{Epochs: 1, Samples: 1, ReportEvery: 1}, graph.Classification, ""},
		{RunSettings{Epochs: 1, Samples: 0, ReportEvery: 1}, graph.Classification, "<Samples> 0: need at least 1"},
		{RunSettings{Epochs: 1, Samples: 2, ReportEvery: -1}, graph.Regression, "<ReportEvery> -1: need a value > 0"},
	} {
		if got := settingText(t, c.r.Check(c.task)); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
	for _, c := range []struct {
		every, start int
		want         string
	}{
		{0, 0, ""}, {10, 0, ""}, {-1, 0, "<CheckpointEvery> -1: need a value >= 0"},
		{7, 0, "<CheckpointEvery> 7: need a multiple of <ReportEvery> 5"},
		{ok.Epochs - ok.ReportEvery, 0, ""},
		{ok.Epochs, 0, fmt.Sprintf("<CheckpointEvery> %d: no checkpoint would come before the last epoch (<Epochs> %d), whose model the run writes anyway", ok.Epochs, ok.Epochs)},
		// Resumed from epoch start: a multiple of the period after it and before Epochs.
		{10, ok.Epochs - 11, ""},
		{10, ok.Epochs - 10, fmt.Sprintf("<CheckpointEvery> 10: no checkpoint would come after the resumed model's epoch %d and before the last (<Epochs> %d), whose model the run writes anyway", ok.Epochs-10, ok.Epochs)},
		{10, ok.Epochs - 5, fmt.Sprintf("<CheckpointEvery> 10: no checkpoint would come after the resumed model's epoch %d and before the last (<Epochs> %d), whose model the run writes anyway", ok.Epochs-5, ok.Epochs)},
		{ok.Epochs, 5, fmt.Sprintf("<CheckpointEvery> %d: no checkpoint would come after the resumed model's epoch 5 and before the last (<Epochs> %d), whose model the run writes anyway", ok.Epochs, ok.Epochs)},
	} {
		r := ok
		r.CheckpointEvery = c.every
		if got := settingText(t, r.CheckCheckpoints(c.start)); got != c.want {
			t.Errorf("every %d from %d: %q, want %q", c.every, c.start, got, c.want)
		}
	}
}

func TestCheckClassifierAndMNISTSplits(t *testing.T) {
	s := ModelSettings{Likelihood: "fixed"}
	if err := s.CheckClassifier(); err != nil {
		t.Error(err)
	}
	s.Likelihood = "hetero"
	if got, want := settingText(t, s.CheckClassifier()), "<Likelihood> hetero: a classifier's likelihood is the categorical (softmax) one"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	for _, c := range []struct {
		c          data.MNISTConfig
		valSamples int
		want       string
	}{
		{data.MNISTConfig{}, 1, ""},
		{data.MNISTConfig{Train: 100, Val: 10, TestRows: 10}, 3, ""},
		{data.MNISTConfig{Train: -1}, 1, "<MNISTTrain> -1: want 0 to 50000 (0: all 50000)"},
		{data.MNISTConfig{Val: -1}, 1, "<MNISTVal> -1: want 0 to 10000 (0: all 10000)"},
		{data.MNISTConfig{TestRows: -2}, 1, "<MNISTTest> -2: want 0 to 10000 (0: all 10000)"},
		{data.MNISTConfig{Train: 50001}, 1, "<MNISTTrain> 50001: want 0 to 50000 (0: all 50000)"},
		{data.MNISTConfig{Val: 10001}, 1, "<MNISTVal> 10001: want 0 to 10000 (0: all 10000)"},
		{data.MNISTConfig{TestRows: 20000}, 1, "<MNISTTest> 20000: want 0 to 10000 (0: all 10000)"},
		{data.MNISTConfig{Train: 50000, Val: 10000, TestRows: 10000}, 1, ""},
		{data.MNISTConfig{}, 0, "<ValSamples> 0: need at least 1"},
	} {
		if got := settingText(t, CheckMNISTSplits(c.c, c.valSamples)); got != c.want {
			t.Errorf("%+v %d: %q, want %q", c.c, c.valSamples, got, c.want)
		}
	}
}

// TrainConfig is the model's training for the run's epochs, passes and
// reports.
func TestRunSettingsTrainConfig(t *testing.T) {
	m := DefaultModelSettings()
	m.LR = 0.02
	c := RunSettings{Epochs: 7, Samples: 9, ReportEvery: 3}.TrainConfig(&m, false)
	if c.Epochs != 7 || c.Samples != 9 || c.ReportEvery != 3 || c.LearningRate != 0.02 || c.Graph.Resident {
		t.Errorf("%+v", c)
	}
	if !(RunSettings{}).TrainConfig(&m, true).Graph.Resident {
		t.Error("resident not passed on")
	}
}

// Ops names the ops: stock over resident over the fused CPU ops.
func TestModelSettingsOps(t *testing.T) {
	m := DefaultModelSettings()
	if m.Ops(false) != "fused" || m.Ops(true) != "resident" {
		t.Errorf("ops %s, %s", m.Ops(false), m.Ops(true))
	}
	m.StockOps = true
	if m.Ops(false) != "stock" || m.Ops(true) != "stock" {
		t.Errorf("stock ops %s, %s", m.Ops(false), m.Ops(true))
	}
}

// CheckMilestones refuses a last milestone the run never reaches, unless
// the model is saved for a resumed run.
func TestRunSettingsCheckMilestones(t *testing.T) {
	for _, c := range []struct {
		milestones string
		epochs     int
		save       string
		want       string
	}{
		{"40,52", 60, "", ""},
		{"", 60, "", ""},
		{"x", 60, "", ""},
		{"40, 60", 60, "", `<LRMilestones> "40, 60": epoch 60 is not before the last epoch (<Epochs> 60), so that rate would never be used (with <Save>, a --resume past it would use it)`},
		{"40,70", 60, "m.npz", ""},
	} {
		m := DefaultModelSettings()
		m.LRMilestones = c.milestones
		if got := settingText(t, RunSettings{Epochs: c.epochs}.CheckMilestones(&m, c.save)); got != c.want {
			t.Errorf("%q %d %q: got %q, want %q", c.milestones, c.epochs, c.save, got, c.want)
		}
	}
}

// StartSettings start from the seed's preset and no model file, and its
// preset is one of Presets.
func TestStartSettingsDefaults(t *testing.T) {
	var s StartSettings
	settingflag.SetDefaults(&s)
	if _, ok := Presets[s.Preset]; s.Preset != "seed" || !ok || s.Resume != "" {
		t.Errorf("%+v", s)
	}
}
