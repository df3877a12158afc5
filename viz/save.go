package viz

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/bbb-go/bbb/internal/atomicio"
)

// ErrFormat reports a file extension that is not .png, .svg or .pdf.
var ErrFormat = errors.New("viz: unsupported figure format (want .png, .svg or .pdf)")

// ErrData reports empty, mismatched or non-finite data.
var ErrData = errors.New("viz: bad data")

// Format returns the figure format of path, or ErrFormat.
func Format(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "png", "svg", "pdf":
		return ext, nil
	}
	return "", fmt.Errorf("%w: %q", ErrFormat, path)
}

// ParseFormat reads a figure format's name, png, svg or pdf in any case,
// and returns it in lower case; any other name (x.png, .png, "") is an
// error.
func ParseFormat(name string) (string, error) {
	f := strings.ToLower(name)
	switch f {
	case "png", "svg", "pdf":
		return f, nil
	}
	return "", fmt.Errorf("%w: %q", ErrFormat, name)
}

// Figure size: wide like the seed's figsize=(16, 6).
var width, height = 32 * vg.Centimeter, 12 * vg.Centimeter

func save(p *plot.Plot, path string) error { return saveSize(p, path, width, height) }

func saveSize(p *plot.Plot, path string, width, height vg.Length) error {
	format, err := Format(path)
	if err != nil {
		return err
	}
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return fmt.Errorf("viz: %s: %w", path, err)
	}
	return atomicio.WriteFile(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

// checkSeries reports series of unequal length, empty or with NaN/Inf.
func checkSeries(names []string, series ...[]float64) error {
	n := len(series[0])
	if n == 0 {
		return fmt.Errorf("%w: %s is empty", ErrData, names[0])
	}
	for k, s := range series {
		if len(s) != n {
			return fmt.Errorf("%w: %s has %d values, %s has %d", ErrData, names[k], len(s), names[0], n)
		}
		for i, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s[%d] = %v", ErrData, names[k], i, v)
			}
		}
	}
	return nil
}

// saveCanvas draws onto a canvas of the path's format and writes it
// atomically: figures of several panels (plot.Align), which
// plot.WriterTo cannot make.
func saveCanvas(path, format string, w, h vg.Length, paint func(draw.Canvas)) error {
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	case "svg":
		c = vgsvg.New(w, h)
	case "pdf":
		c = vgpdf.New(w, h)
	default:
		return fmt.Errorf("%w: %q", ErrFormat, path)
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	paint(dc)
	return atomicio.WriteFile(path, func(wr io.Writer) error {
		_, err := c.WriteTo(wr)
		return err
	})
}
