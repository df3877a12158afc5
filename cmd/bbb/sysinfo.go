package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/train"
)

// buildInfo names this binary and its BLAS for summary.json and bench.json:
// the commit and toolchain from the binary's build info, and which kernels
// the host GEMM runs (OpenBLAS's core name and configuration). `bbb
// version` prints the same (binary, version.go).
func buildInfo() train.Build { return binary().Build }

// peakRSSMiB reads the process's peak resident set (VmHWM) from /proc.
func peakRSSMiB() float64 { return procStatusMiB("VmHWM:") }

// rssMiB reads the current resident set (VmRSS).
func rssMiB() float64 { return procStatusMiB("VmRSS:") }

func procStatusMiB(key string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			fs := strings.Fields(rest)
			if len(fs) > 0 {
				kb, _ := strconv.ParseFloat(fs[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

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
