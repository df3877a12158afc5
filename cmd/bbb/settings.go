package main

import (
	"errors"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/job"
)

// The library packages name a bad value by its setting (job.SettingError,
// bandit.SettingError); settingFlags is the one table from a setting to
// the flag a user types, and flagError renders such an error in the words
// of the flags.
var settingFlags = map[string]string{
	"Quantiles": "--quantiles", // job.Predict
	"Fractions": "--fractions", // job.Prune
	// job.ModelSettings (train, bench, dot; predict's and prune's --model)
	"Layers": "--layers", "Hidden": "--hidden", "Points": "--points", "Workers": "--workers", "Threads": "--threads",
	"LR": "--lr", "LRMilestones": "--lr-milestones", "LRGamma": "--lr-gamma", "NBatch": "--n-batch",
	"PriorSigma": "--prior-sigma", "LikelihoodSigma": "--likelihood-sigma", "Dtype": "--dtype",
	"Prior": "--prior", "PriorPi": "--prior-pi", "PriorSigma1": "--prior-sigma1",
	"PriorSigma2": "--prior-sigma2", "KL": "--kl", "Likelihood": "--likelihood", "MinSigma": "--min-sigma",
	"BatchSize": "--batch-size", "MCSamples": "--mc-samples", "KLWeight": "--kl-weight", "LocalReparam": "--local-reparam",
	// job.RunSettings, job.CheckMNISTSplits (train)
	"Epochs": "--epochs", "Samples": "--samples", "ReportEvery": "--report-every", "CheckpointEvery": "--checkpoint-every",
	"MNISTTrain": "--mnist-train", "MNISTVal": "--mnist-val", "MNISTTest": "--mnist-test", "ValSamples": "--val-samples",
	// job.BenchSettings (bench)
	"HiddenSizes": "--hidden-sizes", "PointsList": "--points-list", "LayersList": "--layers-list",
	"Steps": "--epochs", "Warmup": "--warmup", "Passes": "--samples", "Seconds": "--seconds",
	// job.DataSettings (train --data)
	"Data": "--data", "Val": "--val", "XCols": "--x-cols", "ValSplit": "--val-split",
}

// flagError is err as a usage error naming the flag of its setting, or err
// itself if no setting is named.
func flagError(err error) error {
	var je *job.SettingError
	if errors.As(err, &je) {
		return usagef("%s", je.Text(flagOf))
	}
	var be *bandit.SettingError // (its names are bbb bandit's flags)
	if errors.As(err, &be) {
		return usagef("--%s %v: %s", be.Name, be.Value, be.Need)
	}
	return err
}

// flagOf is the flag of a setting (the setting's own name where no flag
// sets it).
func flagOf(setting string) string {
	if name, ok := settingFlags[setting]; ok {
		return name
	}
	return setting
}

// usageOf is a library's refusal of the user's settings as a usage error:
// a setting named by its flag (flagError), another error as it is worded.
func usageOf(err error) error {
	if err == nil {
		return nil
	}
	var je *job.SettingError
	var be *bandit.SettingError
	if errors.As(err, &je) || errors.As(err, &be) {
		return flagError(err)
	}
	return usagef("%v", err)
}
