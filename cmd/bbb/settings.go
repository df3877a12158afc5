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
}

// flagError is err as a usage error naming the flag of its setting, or err
// itself if no setting is named.
func flagError(err error) error {
	var je *job.SettingError
	if errors.As(err, &je) {
		name, ok := settingFlags[je.Setting]
		if !ok {
			name = je.Setting
		}
		return usagef("%s %s: %s", name, je.Value, je.Reason)
	}
	var be *bandit.SettingError // (its names are bbb bandit's flags)
	if errors.As(err, &be) {
		return usagef("--%s %v: %s", be.Name, be.Value, be.Need)
	}
	return err
}
