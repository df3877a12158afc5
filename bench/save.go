package bench

import (
	"context"
	"io"
	"path/filepath"

	"github.com/bbb-go/bbb/viz"
)

// Save writes what a finished sweep leaves in the folder dir: rep as
// bench.json, then the table of rep beside others (other backends' reports,
// --compare's) to w, then the figure bench.FORMAT. stage, if not nil, is
// called with "bench figure" before the figure (a cancelled ctx stops
// there with its error).
func Save(ctx context.Context, dir, format string, rep Report, others []Backend, w io.Writer, stage func(ctx context.Context, name string) error) error {
	if err := rep.Write(filepath.Join(dir, "bench.json")); err != nil {
		return err
	}
	backends := Label(append([]Backend{{Report: rep}}, others...))
	Table(w, backends)
	if stage != nil {
		if err := stage(ctx, "bench figure"); err != nil {
			return err
		}
	}
	return viz.Bench(filepath.Join(dir, "bench."+format), Figure(backends))
}
