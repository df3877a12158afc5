package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/bbb-go/bbb/internal/buildinfo"
	"github.com/bbb-go/bbb/train"
)

// binaryInfo is what `bbb version` prints (buildinfo.Binary).
type binaryInfo = buildinfo.Binary

// binary reads this binary's build info; buildInfo is its build block
// for summary.json and bench.json.
func binary() binaryInfo     { return buildinfo.Read(cudaBuild, cudaInfo()) }
func buildInfo() train.Build { return binary().Build }
func cpuName() string        { return buildinfo.CPUName() }

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
	for _, kv := range b.Lines() {
		if _, err := fmt.Fprintf(stdout, "%s: %s\n", kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}
