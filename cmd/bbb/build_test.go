package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/train"
)

// summary.json names the binary and the BLAS that made its numbers, in
// each build: the pure-Go build says gonum (no core name: Go code rounds
// alike on every amd64 host), the OpenBLAS build the kernel set OpenBLAS
// picked (openblas_get_corename) and its version, so a seed's numbers can
// be matched to the host that reproduces them.
func TestSummaryNamesBuildAndBLAS(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI("train", "--epochs", "20", "--points", "200", "--samples", "10", "--report-every", "10", "--no-figures", "-q", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s train.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	got := s.Build
	if got.GoVersion == "" || got.Version == "" || got.CPU != cpuName() {
		t.Errorf("build %+v: want the Go version, the module version and the CPU", got)
	}
	switch linalg.Backend() {
	case "gonum":
		if got.BLAS != "gonum" || got.BLASCore != "" || got.BLASConfig != "" {
			t.Errorf("pure-Go build: %+v, want blas gonum and no OpenBLAS core", got)
		}
	case "openblas":
		if got.BLAS != "openblas" || got.BLASCore == "" || !strings.Contains(got.BLASConfig, "OpenBLAS") {
			t.Errorf("OpenBLAS build: %+v, want its core name and configuration", got)
		}
	default:
		t.Errorf("unknown backend %q", linalg.Backend())
	}
}
