package job

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseQuantilesAndFractions(t *testing.T) {
	for _, c := range []struct {
		parse   func(string) ([]float64, error)
		in      string
		want    []float64
		setting string
		err     string
	}{
		{ParseQuantiles, "0.05, 0.5,0.95", []float64{0.05, 0.5, 0.95}, "", ""},
		{ParseQuantiles, "0,1", []float64{0, 1}, "", ""},
		{ParseQuantiles, "2", nil, "Quantiles", `job: Quantiles "2": "2" is not a level in [0, 1]`},
		{ParseQuantiles, "x", nil, "Quantiles", `job: Quantiles "x": "x" is not a level in [0, 1]`},
		{ParseQuantiles, "0.5,0.50", nil, "Quantiles", `job: Quantiles "0.5,0.50": level 0.5 appears twice`},
		{ParseQuantiles, "0,-0", nil, "Quantiles", `job: Quantiles "0,-0": level 0 appears twice`},
		{ParseQuantiles, "0.5,0x1p-2", nil, "Quantiles", `job: Quantiles "0.5,0x1p-2": "0x1p-2" is not a level in [0, 1]`},
		{ParseQuantiles, "0.05, 05e-1", []float64{0.05, 0.5}, "", ""},
		{ParseFractions, "0.5, 0.9", []float64{0.5, 0.9}, "", ""},
		{ParseFractions, "0.5,0x1.8p-1", nil, "Fractions", `job: Fractions "0.5,0x1.8p-1": "0x1.8p-1" is not a number`},
		{ParseFractions, "x", nil, "Fractions", `job: Fractions "x": "x" is not a number`},
		{ParseFractions, "0.5,1", nil, "Fractions", `job: Fractions "0.5,1": 1 is outside (0, 1)`},
		{ParseFractions, "0", nil, "Fractions", `job: Fractions "0": 0 is outside (0, 1)`},
		{ParseFractions, "0.9,0.5", nil, "Fractions", `job: Fractions "0.9,0.5": not increasing (0.5 after 0.9)`},
		{ParseFractions, "0.5,0.5", nil, "Fractions", `job: Fractions "0.5,0.5": not increasing (0.5 after 0.5)`},
	} {
		got, err := c.parse(c.in)
		if c.err == "" {
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
			}
			continue
		}
		var se *SettingError
		if !errors.As(err, &se) || se.Setting != c.setting || err.Error() != c.err {
			t.Errorf("%q: error %v, want %s", c.in, err, c.err)
		}
	}
}

// Level -0 is level 0: its predictions' column is q0, not q-0.
func TestParseQuantilesNegativeZero(t *testing.T) {
	q, err := ParseQuantiles("-0, 0.5")
	if err != nil || math.Signbit(q[0]) || quantileColumn(q[0]) != "q0" {
		t.Errorf("-0: %v (sign bit %v), %v; want level 0, column q0", q, len(q) > 0 && math.Signbit(q[0]), err)
	}
}

// Text names the setting and only the settings listed in Refs: a value
// that happens to read {X} is left as given.
func TestSettingErrorText(t *testing.T) {
	flag := func(s string) string { return "--" + strings.ToLower(s) }
	for _, c := range []struct {
		e    SettingError
		want string
	}{
		{SettingError{Setting: "Hidden", Value: "0", Reason: "need a value > 0"}, "--hidden 0: need a value > 0"},
		{SettingError{Setting: "LocalReparam", Reason: "needs {KL} closed", Refs: []string{"KL"}}, "--localreparam: needs --kl closed"},
		{SettingError{Setting: "Quantiles", Value: `"{KL}"`, Reason: `"{KL}" is not a level`}, `--quantiles "{KL}": "{KL}" is not a level`},
	} {
		if got := c.e.Text(flag); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// PredictSettings and PruneSettings refuse each bad setting in their
// order, named by setting (bbb words them with the flags).
func TestCommandSettingsCheck(t *testing.T) {
	ok := PredictSettings{Model: "m.npz", Data: "x.csv", Out: "p.csv", Samples: 2, Quantiles: "0.1,0.9", Workers: 1}
	if qs, err := ok.Check(); err != nil || !slices.Equal(qs, []float64{0.1, 0.9}) {
		t.Fatalf("Check() = %v, %v", qs, err)
	}
	for _, c := range []struct {
		set  func(*PredictSettings)
		want string
	}{
		{func(p *PredictSettings) { p.Quantiles, p.Samples = "2", 1 }, `Quantiles "2": "2" is not a level in [0, 1]`},
		{func(p *PredictSettings) { p.Samples, p.Workers = 1, 0 }, "Samples 1: need at least 2"},
		{func(p *PredictSettings) { p.Workers, p.Model = 0, "" }, "Workers 0: need at least 1"},
		{func(p *PredictSettings) { p.Model, p.Data = "", "" }, "Model: required (an .npz file written by train --save)"},
		{func(p *PredictSettings) { p.Data, p.Out = "", "" }, "Data: required (a CSV file of inputs)"},
		{func(p *PredictSettings) { p.Out = "" }, "Out: empty path"},
	} {
		p := ok
		c.set(&p)
		if _, err := p.Check(); err == nil || err.Error() != "job: "+c.want {
			t.Errorf("%+v: %v, want %q", p, err, c.want)
		}
	}
	pr := PruneSettings{Model: "m.npz", Fractions: "0.5,0.9", Samples: 1}
	if fr, err := pr.Check(); err != nil || !slices.Equal(fr, []float64{0.5, 0.9}) {
		t.Fatalf("Check() = %v, %v", fr, err)
	}
	for _, c := range []struct {
		set  func(*PruneSettings)
		want string
	}{
		{func(p *PruneSettings) { p.Fractions, p.Model = "0.9,0.5", "" }, `Fractions "0.9,0.5": not increasing (0.5 after 0.9)`},
		{func(p *PruneSettings) { p.Model, p.Samples = "", 0 }, "Model: required (an .npz file written by train --preset mnist --save)"},
		{func(p *PruneSettings) { p.Samples = 0 }, "Samples 0: need at least 1"},
	} {
		p := pr
		c.set(&p)
		if _, err := p.Check(); err == nil || err.Error() != "job: "+c.want {
			t.Errorf("%+v: %v, want %q", p, err, c.want)
		}
	}
}

// Args go into the reason as they are: a file or column name that looks
// like a setting's placeholder is not renamed.
func TestSettingErrorArgs(t *testing.T) {
	e := &SettingError{Setting: "Hidden", Value: "7", Reason: "{0} was trained with {Hidden} {1}", Refs: []string{"Hidden"}, Args: []string{"q{Hidden}{1}.npz", "{0}"}}
	if got, want := e.Text(angled), "<Hidden> 7: q{Hidden}{1}.npz was trained with <Hidden> {0}"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
