package viz

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func curve(n int) (x, y, mean, lo, hi []float64) {
	for i := 0; i < n; i++ {
		xi := -3 + 6*float64(i)/float64(n-1)
		m := -1.8*xi*xi*xi + 8*xi
		x = append(x, xi)
		y = append(y, m+math.Sin(float64(i)))
		mean = append(mean, m)
		lo = append(lo, m-0.5)
		hi = append(hi, m+0.5)
	}
	return
}

// Every figure in every format is written and decodes (PNG) or carries its
// format's signature (SVG, PDF).
func TestFiguresWriteAndDecode(t *testing.T) {
	dir := t.TempDir()
	x, y, mean, lo, hi := curve(300)
	for _, ext := range []string{"png", "svg", "pdf"} {
		files := map[string]func(string) error{
			"band." + ext: func(p string) error {
				return Band(p, BandFigure{Title: "t", X: x, Y: y, Mean: mean, Q05: lo, Q95: hi, Truth: mean})
			},
			"data." + ext: func(p string) error { return Data(p, x, y, mean) },
			"loss." + ext: func(p string) error {
				return Losses(p, LossFigure{EveryTrain: []float64{900, 500, 300, 250}, Epochs: []float64{2, 4}, Train: []float64{500, 250}, Val: []float64{520, 260}})
			},
			"bench." + ext: func(p string) error {
				return Bench(p, BenchFigure{Title: "t", Series: []BenchSeries{{Name: "cpu", Sizes: []float64{1, 10}, Seconds: []float64{0.01, 0.1}}}})
			},
		}
		for name, draw := range files {
			p := filepath.Join(dir, name)
			if err := draw(p); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			switch ext {
			case "png":
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if img.Bounds().Dx() < 500 {
					t.Errorf("%s: %d px wide", name, img.Bounds().Dx())
				}
			case "svg":
				if !bytes.Contains(b, []byte("<svg")) {
					t.Errorf("%s: no <svg", name)
				}
			case "pdf":
				if !bytes.HasPrefix(b, []byte("%PDF")) {
					t.Errorf("%s: no %%PDF header", name)
				}
			}
		}
	}
}

// The band is drawn: the PNG has band-coloured pixels between the quantiles.
func TestBandIsShaded(t *testing.T) {
	p := filepath.Join(t.TempDir(), "b.png")
	x, y, mean, lo, hi := curve(200)
	for i := range lo {
		lo[i], hi[i] = mean[i]-5, mean[i]+5
	}
	if err := Band(p, BandFigure{X: x, Y: y, Mean: mean, Q05: lo, Q95: hi}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	purple := 0
	b := img.Bounds()
	for py := b.Min.Y; py < b.Max.Y; py += 2 {
		for px := b.Min.X; px < b.Max.X; px += 2 {
			r, g, bl, _ := img.At(px, py).RGBA()
			if r > g+0x1000 && bl > g+0x1000 { // more red and blue than green: the band's purple
				purple++
			}
		}
	}
	if purple < 500 {
		t.Errorf("only %d band-coloured pixels", purple)
	}
}

func TestBadInputIsAnError(t *testing.T) {
	dir := t.TempDir()
	x, y, mean, lo, hi := curve(10)
	if err := Band(filepath.Join(dir, "a.gif"), BandFigure{X: x, Y: y, Mean: mean, Q05: lo, Q95: hi}); !errors.Is(err, ErrFormat) {
		t.Errorf(".gif: err = %v, want ErrFormat", err)
	}
	bad := append([]float64(nil), mean...)
	bad[3] = math.NaN()
	if err := Band(filepath.Join(dir, "a.png"), BandFigure{X: x, Y: y, Mean: bad, Q05: lo, Q95: hi}); !errors.Is(err, ErrData) {
		t.Errorf("NaN mean: err = %v, want ErrData", err)
	}
	if err := Data(filepath.Join(dir, "d.png"), x, y[:5], nil); !errors.Is(err, ErrData) {
		t.Errorf("short y: err = %v, want ErrData", err)
	}
	if err := Losses(filepath.Join(dir, "l.png"), LossFigure{}); !errors.Is(err, ErrData) {
		t.Errorf("empty losses: err = %v, want ErrData", err)
	}
	// A failed save leaves an earlier figure whole.
	p := filepath.Join(dir, "keep.png")
	if err := Data(p, x, y, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	if err := Data(p, x, bad, nil); err == nil {
		t.Fatal("NaN data: no error")
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Error("failed save changed the earlier figure")
	}
	if err := Data(filepath.Join(dir, "missing", "d.png"), x, y, nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("unwritable path: err = %v", err)
	}
}
