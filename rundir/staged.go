package rundir

import "path/filepath"

// StagedPath is where an output file named path is written while a run
// folder out is staged in the folder stage: in stage, under its own name,
// when path names a file directly in out (so that it is swapped in with
// the rest of the run), else path itself. Both are compared as the
// kernel resolves them (Resolve). An empty path stays empty.
func StagedPath(path, out, stage string) string {
	if path == "" {
		return ""
	}
	if abs := Resolve(path); filepath.Dir(abs) == Resolve(out) {
		return filepath.Join(stage, filepath.Base(abs))
	}
	return path
}
