package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/job"
)

// A library's setting error reads as the flag a user types, exit 2;
// other errors pass through.
func TestFlagError(t *testing.T) {
	_, qerr := job.ParseQuantiles("0.5,2")
	plain := errors.New("disk full")
	for _, c := range []struct {
		err   error
		want  string
		usage bool
	}{
		{qerr, `--quantiles "0.5,2": "2" is not a level in [0, 1]`, true},
		{fmt.Errorf("wrapped: %w", &job.SettingError{Setting: "Fractions", Value: `"x"`, Reason: `"x" is not a number`}), `--fractions "x": "x" is not a number`, true},
		{&job.SettingError{Setting: "Unlisted", Value: "3", Reason: "why"}, "Unlisted 3: why", true},
		{&bandit.SettingError{Name: "steps", Value: 0, Need: "need at least 1"}, "--steps 0: need at least 1", true},
		{plain, "disk full", false},
	} {
		got := flagError(c.err)
		var ue usageError
		if got.Error() != c.want || errors.As(got, &ue) != c.usage {
			t.Errorf("%v: %q (usage %v), want %q (usage %v)", c.err, got, errors.As(got, &ue), c.want, c.usage)
		}
	}
	if flagError(nil) != nil {
		t.Error("flagError(nil) != nil")
	}
}

// The settings a reason names are worded as flags too; usageOf makes any
// other library refusal a usage error, its text as is.
func TestSettingRefsAndUsageOf(t *testing.T) {
	lr := &job.SettingError{Setting: "LRGamma", Value: "5", Reason: `{LR} 1 rises to 25 over {LRMilestones} "1,2"`, Refs: []string{"LR", "LRMilestones"}}
	for _, c := range []struct {
		err   error
		want  string
		usage bool
	}{
		{lr, `--lr-gamma 5: --lr 1 rises to 25 over --lr-milestones "1,2"`, true},
		{&job.SettingError{Setting: "LocalReparam", Reason: "needs {KL} closed", Refs: []string{"KL"}}, "--local-reparam: needs --kl closed", true},
		{errors.New("graph: hetero needs fused ops"), "graph: hetero needs fused ops", true},
		{&bandit.SettingError{Name: "prior", Value: `"x"`, Need: "want normal"}, `--prior "x": want normal`, true},
	} {
		got := usageOf(c.err)
		var ue usageError
		if got.Error() != c.want || errors.As(got, &ue) != c.usage {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
	if usageOf(nil) != nil {
		t.Error("usageOf(nil) != nil")
	}
	// Every setting job checks has its flag.
	for _, s := range []string{"Layers", "Hidden", "Points", "Workers", "Threads", "LR", "LRGamma", "LRMilestones", "NBatch",
		"PriorSigma", "LikelihoodSigma", "Dtype", "Prior", "PriorPi", "PriorSigma1", "PriorSigma2", "KL", "Likelihood", "MinSigma",
		"BatchSize", "MCSamples", "KLWeight", "LocalReparam", "Epochs", "Samples", "ReportEvery", "CheckpointEvery",
		"MNISTTrain", "MNISTVal", "MNISTTest", "ValSamples", "HiddenSizes", "PointsList", "LayersList", "Steps", "Warmup",
		"Passes", "Seconds", "Data", "Val", "XCols", "ValSplit"} {
		if _, ok := settingFlags[s]; !ok {
			t.Errorf("setting %s: no flag in settingFlags", s)
		}
	}
}
