package main

import (
	"os"
	"strings"

	"github.com/bbb-go/bbb/train"
)

// buildInfo names this binary and its BLAS for summary.json and bench.json:
// the commit and toolchain from the binary's build info, and which kernels
// the host GEMM runs (OpenBLAS's core name and configuration). `bbb
// version` prints the same (binary, version.go).
func buildInfo() train.Build { return binary().Build }

// cpuName is the model name from /proc/cpuinfo.
func cpuName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
		}
	}
	return ""
}
