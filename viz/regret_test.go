package viz

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestRegret(t *testing.T) {
	dir := t.TempDir()
	steps := []float64{100, 200, 300}
	good := RegretFigure{Steps: steps, Series: []RegretSeries{
		{"bbb", []float64{-5, 40, 60}}, // a negative early regret is left off the log axis
		{"greedy", []float64{30, 400, 900}},
	}}
	path := filepath.Join(dir, "regret.png")
	if err := Regret(path, good); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("no figure: %v", err)
	}
	for name, f := range map[string]RegretFigure{
		"no agents":    {Steps: steps},
		"short series": {Steps: steps, Series: []RegretSeries{{"a", []float64{1, 2}}}},
		"NaN":          {Steps: steps, Series: []RegretSeries{{"a", []float64{1, math.NaN(), 3}}}},
	} {
		if err := Regret(filepath.Join(dir, "x.png"), f); !errors.Is(err, ErrData) {
			t.Errorf("%s: err %v, want ErrData", name, err)
		}
	}
	// No regret above 0 (a short run of lucky meals) is a figure too: the
	// agents in the legend, an axis of 1 to 10.
	for name, f := range map[string]RegretFigure{
		"none positive": {Steps: steps, Series: []RegretSeries{{"a", []float64{0, -5, -10}}}},
		"one step":      {Steps: steps[:1], Series: []RegretSeries{{"a", []float64{-5}}, {"b", []float64{0}}}},
		"one agent not": {Steps: steps, Series: []RegretSeries{{"a", []float64{0, -5, -10}}, {"b", []float64{5, 10, 15}}}},
	} {
		p := filepath.Join(dir, "none.png")
		if err := Regret(p, f); err != nil {
			t.Errorf("%s: %v", name, err)
		} else if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: no figure: %v", name, err)
		}
	}
	if err := Regret(filepath.Join(dir, "x.gif"), good); !errors.Is(err, ErrFormat) {
		t.Errorf("gif: err %v, want ErrFormat", err)
	}
}

func TestRegretLabel(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{29535, "29535"}, {12100, "12100"}, {0, "0"}, {-35, "-35"},
		{1234.5678, "1235"}, {0.125, "0.125"}, {1e20, "1e+20"},
		{35266.666666666664, "35267"}, {-12345.5, "-12346"}, {999.5, "999.5"},
	} {
		if got := regretLabel(tc.v); got != tc.want {
			t.Errorf("regretLabel(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
