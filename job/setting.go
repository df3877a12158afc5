package job

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/internal/settingflag"
)

// SettingError is a value of a job's setting that the job cannot use:
// the setting (the job's field, "Quantiles"), the value as given, and why.
// A command line renders it with the flag that sets it (Text).
type SettingError struct {
	Setting string // the field of the job
	Value   string // the value as given, quoted where it is a list or a name ("": a switch that is on)
	Reason  string
	// Refs are the other settings Reason names, each written {Setting}
	// there (Text names them as it names Setting).
	Refs []string
	// Args are texts Reason holds as {0}, {1}, ... that are not to be
	// read for settings: file and column names, values read from a file.
	Args []string
}

func (e *SettingError) Error() string {
	return "job: " + e.Text(func(s string) string { return s })
}

// Text is the error as "SETTING VALUE: REASON" ("SETTING: REASON" without
// a value), each setting, its own and its Refs in the reason, written as
// name spells it (a command line: the flag that sets it), and the Args in
// the reason as they are.
func (e *SettingError) Text(name func(setting string) string) string {
	var pairs []string
	for _, r := range e.Refs {
		pairs = append(pairs, "{"+r+"}", name(r))
	}
	for i, a := range e.Args {
		pairs = append(pairs, "{"+strconv.Itoa(i)+"}", a)
	}
	reason := strings.NewReplacer(pairs...).Replace(e.Reason) // (one pass: an Arg is not read again)
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", name(e.Setting), reason)
	}
	return fmt.Sprintf("%s %s: %s", name(e.Setting), e.Value, reason)
}

// ParseQuantiles reads comma-separated quantile levels for Predict's
// Quantiles: each a number in [0, 1], none twice (its column would be
// written twice, under one name). A bad list is a *SettingError for
// "Quantiles".
func ParseQuantiles(s string) ([]float64, error) {
	var qs []float64
	for _, f := range strings.Split(s, ",") {
		q, err := settingflag.ParseFloat(strings.TrimSpace(f))
		if err != nil || !(q >= 0 && q <= 1) {
			return nil, &SettingError{Setting: "Quantiles", Value: strconv.Quote(s), Reason: fmt.Sprintf("%q is not a level in [0, 1]", f)}
		}
		if slices.Contains(qs, q) {
			return nil, &SettingError{Setting: "Quantiles", Value: strconv.Quote(s), Reason: fmt.Sprintf("level %v appears twice", q+0)}
		}
		qs = append(qs, q+0) // (+0: -0 is level 0, its column q0, not q-0)
	}
	return qs, nil
}

// ParseFractions reads Prune's Fractions: comma-separated shares, each in
// (0, 1), strictly increasing. A bad list is a *SettingError for
// "Fractions".
func ParseFractions(s string) ([]float64, error) {
	var fr []float64
	for _, f := range strings.Split(s, ",") {
		v, err := settingflag.ParseFloat(strings.TrimSpace(f))
		bad := func(format string, a ...any) error {
			return &SettingError{Setting: "Fractions", Value: strconv.Quote(s), Reason: fmt.Sprintf(format, a...)}
		}
		switch {
		case err != nil:
			return nil, bad("%q is not a number", f)
		case !(v > 0 && v < 1):
			return nil, bad("%v is outside (0, 1)", v)
		case len(fr) > 0 && v <= fr[len(fr)-1]:
			return nil, bad("not increasing (%v after %v)", v, fr[len(fr)-1])
		}
		fr = append(fr, v)
	}
	return fr, nil
}
