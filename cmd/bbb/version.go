package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/train"
)

// binaryInfo is what `bbb version` prints: summary.json's build block and
// what only a look at the binary adds (the commit's time, the build tags
// and the CUDA it runs on).
type binaryInfo struct {
	train.Build
	CommitTime string   `json:"commit_time,omitempty"` // vcs.time: when the commit was made
	Tags       []string `json:"tags"`                  // the build tags this code knows: openblas, cuda
	CUDA       string   `json:"cuda"`                  // the driver and GPU, or why there are none
}

// binary reads the binary's build info (the one place that does: the build
// block of summary.json and bench.json is its Build).
func binary() binaryInfo {
	b := binaryInfo{Build: train.Build{GoVersion: runtime.Version(), BLAS: linalg.Backend(), BLASCore: linalg.CoreName(),
		BLASConfig: strings.TrimSpace(linalg.Config()), CPU: cpuName()}, Tags: buildTags(), CUDA: cudaInfo()}
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

// buildTags names the tags this binary was built with, as its code knows
// them (the BLAS and the device it was compiled for).
func buildTags() []string {
	tags := []string{}
	if linalg.Backend() == "openblas" {
		tags = append(tags, "openblas")
	}
	if cudaBuild {
		tags = append(tags, "cuda")
	}
	return tags
}

// versionLines is binaryInfo as `key: value` lines, the keys those of the
// JSON; an empty field says why it is empty.
func (b binaryInfo) versionLines() [][2]string {
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
		{"revision", or(b.Revision, "unknown (not built from a git checkout)")},
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

// runVersion prints the binary's version, build and BLAS, one `key: value`
// line per field, or as JSON with --json.
func runVersion(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object (the keys of summary.json's build block, and commit_time, tags, cuda)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	b := binary()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	}
	for _, kv := range b.versionLines() {
		if _, err := fmt.Fprintf(stdout, "%s: %s\n", kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}
