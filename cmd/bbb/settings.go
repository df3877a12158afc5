package main

import (
	"errors"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/job"
)

// The library packages name a bad value by its setting (job.SettingError,
// bandit.SettingError); settingFlags is the one table from a setting to
// the flag a user types (the settings types' flag tags), and flagError
// renders such an error in the words of the flags.
var settingFlags = settingflag.Names(&job.ModelSettings{}, &job.RunSettings{}, &job.OutputSettings{}, &job.DataSettings{}, &job.BenchSettings{},
	&job.PredictSettings{}, &job.PruneSettings{}, &job.MNISTSettings{}, &job.MNISTTraining{})

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
