package viz_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bbb-go/bbb/viz"
)

// Draw a predictive band over noisy data into a temporary folder; the
// file name's extension (.png, .svg, .pdf) picks the format.
func ExampleBand() {
	dir, err := os.MkdirTemp("", "viz-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	x := []float64{-2, -1, 0, 1, 2}
	truth := []float64{-1.6, -6.2, 0, 6.2, 1.6} // data.Curve at x
	f := viz.BandFigure{
		Title: "predictive band",
		X:     x,
		Y:     []float64{-2.1, -5.0, 0.7, 6.9, 0.4}, // noisy targets
		Mean:  []float64{-1.2, -5.8, 0.1, 5.9, 1.9},
		Q05:   []float64{-2.5, -7.0, -0.9, 4.8, 0.2},
		Q95:   []float64{0.1, -4.6, 1.1, 7.0, 3.6},
		Truth: truth,
	}
	for _, name := range []string{"band.png", "band.svg"} {
		path := filepath.Join(dir, name)
		if err := viz.Band(path, f); err != nil {
			panic(err)
		}
		st, err := os.Stat(path)
		fmt.Println(name, "written:", err == nil && st.Size() > 0)
	}
	err = viz.Band(filepath.Join(dir, "band.jpg"), f)
	fmt.Println("band.jpg refused:", errors.Is(err, viz.ErrFormat))
	// Output:
	// band.png written: true
	// band.svg written: true
	// band.jpg refused: true
}
