package buildinfo

import (
	"runtime"
	"slices"
	"testing"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/train"
)

// Lines names every field in a fixed order and says why an empty one is
// empty.
func TestLines(t *testing.T) {
	for _, c := range []struct {
		name string
		b    Binary
		want [][2]string
	}{
		{"empty", Binary{Tags: []string{}, CUDA: "none"}, [][2]string{
			{"version", "unknown"}, {"revision", "unknown (no VCS stamp: built outside a git checkout, or with -buildvcs=false)"}, {"modified", "unknown (no commit recorded)"},
			{"commit_time", "unknown"}, {"tags", "none"}, {"go_version", ""}, {"blas", ""}, {"blas_core", "none (pure Go)"},
			{"blas_config", "none (pure Go)"}, {"cuda", "none"}, {"cpu", "unknown"}}},
		{"full", Binary{Build: train.Build{Version: "v1", Revision: "abc", Modified: true, GoVersion: "go1", BLAS: "openblas",
			BLASCore: "Haswell", BLASConfig: "cfg", CPU: "x86"}, CommitTime: "t", Tags: []string{"openblas", "cuda"}, CUDA: "driver 1"},
			[][2]string{{"version", "v1"}, {"revision", "abc"}, {"modified", "true"}, {"commit_time", "t"}, {"tags", "openblas,cuda"},
				{"go_version", "go1"}, {"blas", "openblas"}, {"blas_core", "Haswell"}, {"blas_config", "cfg"}, {"cuda", "driver 1"}, {"cpu", "x86"}}},
		{"clean", Binary{Build: train.Build{Revision: "abc"}}, nil},
	} {
		got := c.b.Lines()
		if c.want == nil {
			if got[2] != [2]string{"modified", "false"} {
				t.Errorf("%s: %v", c.name, got[2])
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
}

// Read fills the toolchain, BLAS, CPU, tags and the caller's CUDA line.
func TestRead(t *testing.T) {
	b := Read(true, "driver x")
	if b.GoVersion != runtime.Version() || b.BLAS != linalg.Backend() || b.CPU != CPUName() || b.CUDA != "driver x" {
		t.Errorf("Read: %+v", b)
	}
	if !slices.Contains(b.Tags, "cuda") || slices.Contains(Tags(false), "cuda") {
		t.Errorf("tags %v, without cuda %v", b.Tags, Tags(false))
	}
	if slices.Contains(Tags(false), "openblas") != (linalg.Backend() == "openblas") {
		t.Errorf("tags %v with BLAS %s", Tags(false), linalg.Backend())
	}
}
