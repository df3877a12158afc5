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
