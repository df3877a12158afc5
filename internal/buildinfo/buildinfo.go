package buildinfo

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/train"
)

// Binary is summary.json's build block and what only a look at the binary
// adds (the commit's time, the build tags and the CUDA it runs on).
type Binary struct {
	train.Build
	CommitTime string   `json:"commit_time,omitempty"` // vcs.time: when the commit was made
	Tags       []string `json:"tags"`                  // the build tags this code knows: openblas, cuda
	CUDA       string   `json:"cuda"`                  // the driver and GPU, or why there are none
}

// Read reads the binary's build info (the one place that does); cuda says
// whether this is the CUDA build, cudaInfo is its cuda line.
func Read(cuda bool, cudaInfo string) Binary {
	b := Binary{Build: train.Build{GoVersion: runtime.Version(), BLAS: linalg.Backend(), BLASCore: linalg.CoreName(),
		BLASConfig: strings.TrimSpace(linalg.Config()), CPU: CPUName()}, Tags: Tags(cuda), CUDA: cudaInfo}
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.Version = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			case "vcs.time":
				b.CommitTime = s.Value
			}
		}
	}
	return b
}

// Tags names the tags a binary was built with, as its code knows them
// (the BLAS and the device it was compiled for).
func Tags(cuda bool) []string {
	tags := []string{}
	if linalg.Backend() == "openblas" {
		tags = append(tags, "openblas")
	}
	if cuda {
		tags = append(tags, "cuda")
	}
	return tags
}

// Lines is b as `key: value` lines, the keys those of the JSON; an empty
// field says why it is empty.
func (b Binary) Lines() [][2]string {
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	modified := "unknown (no commit recorded)"
	if b.Revision != "" {
		modified = strconv.FormatBool(b.Modified)
	}
	return [][2]string{
		{"version", or(b.Version, "unknown")},
		{"revision", or(b.Revision, "unknown (no VCS stamp: built outside a git checkout, or with -buildvcs=false)")},
		{"modified", modified},
		{"commit_time", or(b.CommitTime, "unknown")},
		{"tags", or(strings.Join(b.Tags, ","), "none")},
		{"go_version", b.GoVersion},
		{"blas", b.BLAS},
		{"blas_core", or(b.BLASCore, "none (pure Go)")},
		{"blas_config", or(b.BLASConfig, "none (pure Go)")},
		{"cuda", b.CUDA},
		{"cpu", or(b.CPU, "unknown")},
	}
}

// CPUName is the model name from /proc/cpuinfo ("" where there is none).
func CPUName() string {
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
