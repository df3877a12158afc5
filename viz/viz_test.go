package viz

import (
	"bytes"
	"errors"
	"fmt"
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
				return Bench(p, benchFigure(2))
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

// benchFigure has n backends over four widths, the later ones slower at
// large widths and faster at small ones.
func benchFigure(n int) BenchFigure {
	f := BenchFigure{EpochTitle: "epoch", PassTitle: "pass"}
	for i := 0; i < n; i++ {
		s := BenchSeries{Name: fmt.Sprintf("backend %d", i), Color: i, Dash: i % 2}
		for _, h := range []float64{20, 128, 512, 1024} {
			s.Hidden = append(s.Hidden, h)
			s.Epoch = append(s.Epoch, 1e-3*math.Pow(h/20, 1+float64(i)/2)/float64(i+1))
			s.Pass = append(s.Pass, 1e-4*math.Pow(h/20, 1+float64(i)/2)/float64(i+1))
		}
		f.Series = append(f.Series, s)
	}
	return f
}

// The bench figure draws every series in its colour, in both panels, with
// the legend in its own strip below them; bad data is ErrData.
func TestBenchFigure(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{1, 6} {
		p := filepath.Join(dir, fmt.Sprintf("bench%d.png", n))
		if err := Bench(p, benchFigure(n)); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		for i := 0; i < n; i++ {
			want := seriesColors[i%len(seriesColors)]
			wr, wg, wb, _ := want.RGBA()
			var left, right int
			for py := b.Min.Y; py < b.Max.Y; py++ {
				for px := b.Min.X; px < b.Max.X; px++ {
					r, g, bl, _ := img.At(px, py).RGBA()
					if r == wr && g == wg && bl == wb {
						if px < b.Dx()/2 {
							left++
						} else {
							right++
						}
					}
				}
			}
			if left < 50 || right < 50 {
				t.Errorf("%d series: series %d: %d pixels of its colour left, %d right", n, i, left, right)
			}
		}
	}
	for name, f := range map[string]BenchFigure{
		"empty":    {},
		"zero":     {Series: []BenchSeries{{Name: "a", Hidden: []float64{20}, Epoch: []float64{0}, Pass: []float64{1}}}},
		"NaN":      {Series: []BenchSeries{{Name: "a", Hidden: []float64{20}, Epoch: []float64{math.NaN()}, Pass: []float64{1}}}},
		"mismatch": {Series: []BenchSeries{{Name: "a", Hidden: []float64{20, 40}, Epoch: []float64{1, 2}, Pass: []float64{1}}}},
	} {
		if err := Bench(filepath.Join(dir, "bad.png"), f); !errors.Is(err, ErrData) {
			t.Errorf("%s: err = %v, want ErrData", name, err)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	for v, want := range map[float64]string{1: "1 s", 2: "2 s", 0.5: "500 ms", 0.02: "20 ms", 0.001: "1 ms", 5e-4: "500 µs", 2e-6: "2 µs", 100: "100 s"} {
		if got := formatSeconds(v); got != want {
			t.Errorf("formatSeconds(%v) = %q, want %q", v, got, want)
		}
	}
}

// Every range of seconds gets at least two labelled ticks, fewer per
// decade as the range widens.
func TestSecondTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     []string // the labels, in order; nil: only count them
	}{
		{0.002, 0.9, []string{"2 ms", "5 ms", "10 ms", "20 ms", "50 ms", "100 ms", "200 ms", "500 ms"}},
		{0.00025, 0.0021, []string{"300 µs", "500 µs", "1 ms", "2 ms"}},
		{1e-5, 10, []string{"10 µs", "100 µs", "1 ms", "10 ms", "100 ms", "1 s", "10 s"}},
		{0.0011, 0.0019, nil},
	} {
		var got []string
		for _, tk := range (secondTicks{}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if len(got) < 2 || (tc.want != nil && strings.Join(got, ",") != strings.Join(tc.want, ",")) {
			t.Errorf("[%v, %v]: labels %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
}

// ParseFormat takes a format's name alone, in any case: not a file name
// that ends in one (--format x.png wrote data.x.png).
func TestParseFormat(t *testing.T) {
	for in, want := range map[string]string{"png": "png", "SVG": "svg", "Pdf": "pdf", "x.png": "", ".png": "", "": "", "jpg": "", "png ": ""} {
		got, err := ParseFormat(in)
		if got != want || (err == nil) != (want != "") || err != nil && !errors.Is(err, ErrFormat) {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
}
