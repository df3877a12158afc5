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

// The classification figures in every format: written, and the PNGs
// decode to the figure's size with more than one colour (something drawn).
func TestClassificationFigures(t *testing.T) {
	dir := t.TempDir()
	ep := []float64{1, 2, 3, 4}
	w := make([]float64, 5000)
	for i := range w {
		w[i] = 0.1 * math.Sin(float64(i)) * math.Cos(float64(i)/7)
	}
	for _, ext := range []string{"png", "svg", "pdf"} {
		for name, draw := range map[string]func(string) error{
			"curve": func(p string) error {
				return LearningCurve(p, CurveFigure{Title: "t", Epochs: ep, TrainLoss: []float64{40, 30, 25, 22},
					ValError: []float64{0.05, 0.03, 0.025, 0.022}, TestError: 0.02, TestSamples: 10, Reference: 0.0136, ReferenceLabel: "paper"})
			},
			"density": func(p string) error {
				return Densities(p, "weights", "w", 100, Histogram{Name: "w", Values: w, Color: Blue})
			},
			"prune": func(p string) error {
				return PruneErrors(p, PruneFigure{Fractions: []float64{0, 0.5, 0.95}, Errors: []float64{0.02, 0.021, 0.03},
					MeanWeights: []float64{0.019, 0.02, 0.031}, Samples: 10, Reference: 0.02, Title: "t"})
			},
		} {
			p := filepath.Join(dir, name+"."+ext)
			if err := draw(p); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			b, err := os.ReadFile(p)
			if err != nil || len(b) < 500 {
				t.Fatalf("%s: %d bytes, %v", p, len(b), err)
			}
			if ext != "png" {
				continue
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			colours := map[[4]uint32]bool{}
			bd := img.Bounds()
			for y := bd.Min.Y; y < bd.Max.Y; y += 3 {
				for x := bd.Min.X; x < bd.Max.X; x += 3 {
					r, g, b, a := img.At(x, y).RGBA()
					colours[[4]uint32{r, g, b, a}] = true
				}
			}
			if len(colours) < 5 || bd.Dx() < 300 {
				t.Errorf("%s: %d × %d, %d colours: nothing drawn?", p, bd.Dx(), bd.Dy(), len(colours))
			}
		}
	}
}

// Bad data (NaN, empty, mismatched lengths, no bins) is ErrData and a bad
// extension ErrFormat, with nothing written.
func TestDensitiesBadInput(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "d.png")
	for name, err := range map[string]error{
		"NaN":        Densities(p, "t", "x", 10, Histogram{Name: "a", Values: []float64{1, math.NaN()}}),
		"empty":      Densities(p, "t", "x", 10, Histogram{Name: "a"}),
		"no bins":    Densities(p, "t", "x", 0, Histogram{Name: "a", Values: []float64{1}}),
		"none":       Densities(p, "t", "x", 10),
		"curve NaN":  LearningCurve(p, CurveFigure{Epochs: []float64{1}, TrainLoss: []float64{math.NaN()}, ValError: []float64{0.1}}),
		"curve len":  LearningCurve(p, CurveFigure{Epochs: []float64{1, 2}, TrainLoss: []float64{1}, ValError: []float64{0.1}}),
		"prune len":  PruneErrors(p, PruneFigure{Fractions: []float64{0, 0.5}, Errors: []float64{0.1}}),
		"prune mean": PruneErrors(p, PruneFigure{Fractions: []float64{0, 0.5}, Errors: []float64{0.1, 0.2}, MeanWeights: []float64{0.1}}),
	} {
		if !errors.Is(err, ErrData) {
			t.Errorf("%s: %v, want ErrData", name, err)
		}
	}
	if err := Densities(filepath.Join(dir, "d.gif"), "t", "x", 10, Histogram{Name: "a", Values: []float64{1}}); !errors.Is(err, ErrFormat) {
		t.Errorf(".gif: %v, want ErrFormat", err)
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("bad input wrote a figure")
	}
}
