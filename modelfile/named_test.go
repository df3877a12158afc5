package modelfile

import (
	"errors"
	"testing"

	"github.com/bbb-go/bbb/graph"
)

// Named words every bound with the names given.
func TestSizeErrorNamed(t *testing.T) {
	for _, c := range []struct {
		cfg   graph.Config
		avail float64
		want  string
	}{
		{graph.Config{Layers: 65, Hidden: 2}, 0, "--depth 65: want 1 to 64 (building the graph takes time growing with the square of the layers; 64 start in about a second)"},
		{graph.Config{Layers: 2, Hidden: -1}, 0, "--width -1: need a value > 0"},
		{graph.Config{Layers: 2, Hidden: 2, Inputs: MaxInputs + 1}, 0, "inputs 1048577: want 1 to 1048576 input columns"},
		{graph.Config{Layers: 2, Hidden: 2, Task: graph.Classification, Classes: MaxClasses + 1}, 0, "outputs 65537: want 1 to 65536 (classes)"},
		{graph.Config{Layers: 4, Hidden: 4000}, 1 << 20, "--width 4000: the run needs about 1.4 GiB of memory for its parameters alone (--depth 4), 1.0 MiB is available"},
		{graph.Config{Layers: 2, Hidden: MaxHidden + 1}, 0, "--width 65537: want 1 to 65536"},
		{graph.Config{Layers: 64, Hidden: 1 << 14}, 0, "--width 16384 --depth 64 with 1 inputs: 1.66e+10 weights, over the 268435456 this build allows"},
	} {
		var e *SizeError
		if !errors.As(CheckSize(c.cfg, c.avail), &e) {
			t.Errorf("%d x %d: no SizeError", c.cfg.Layers, c.cfg.Hidden)
			continue
		}
		if got := e.Named("--width", "--depth"); got != c.want {
			t.Errorf("%d x %d:\n got %s\nwant %s", c.cfg.Layers, c.cfg.Hidden, got, c.want)
		}
	}
}
