package job

import (
	"errors"
	"slices"
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
		{ParseFractions, "0.5, 0.9", []float64{0.5, 0.9}, "", ""},
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
