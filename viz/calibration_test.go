package viz

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The two-band figure and the calibration figure are written and decode;
// bad data is an error, not a crash.
func TestTotalBandAndCalibrationFigures(t *testing.T) {
	dir := t.TempDir()
	x, y, mean, lo, hi := curve(200)
	tlo, thi := make([]float64, len(lo)), make([]float64, len(hi))
	for i := range lo {
		tlo[i], thi[i] = lo[i]-1.5, hi[i]+1.5
	}
	levels := []float64{0.1, 0.3, 0.5, 0.7, 0.9}
	for name, draw := range map[string]func(string) error{
		"band.png": func(p string) error {
			return Band(p, BandFigure{Title: "t", X: x, Y: y, Mean: mean, Q05: lo, Q95: hi, Truth: mean, TotalQ05: tlo, TotalQ95: thi})
		},
		"calibration.png": func(p string) error {
			return Calibration(p, "calibration", levels, []float64{0.12, 0.28, 0.5, 0.69, 0.91})
		},
	} {
		p := filepath.Join(dir, name)
		if err := draw(p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, bad := range [][]float64{{0.1, 0.2}, {0.1, 0.2, 0.3, 0.4, 1.5}, {0.1, 0.2, math.NaN(), 0.4, 0.5}} {
		if err := Calibration(filepath.Join(dir, "c.png"), "c", levels, bad); !errors.Is(err, ErrData) {
			t.Errorf("observed %v: error %v, want ErrData", bad, err)
		}
	}
	if err := Band(filepath.Join(dir, "b.png"), BandFigure{X: x, Y: y, Mean: mean, Q05: lo, Q95: hi, TotalQ05: tlo}); !errors.Is(err, ErrData) {
		t.Errorf("total band without its upper quantile: error %v, want ErrData", err)
	}
}
