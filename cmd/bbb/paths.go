package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/bbb-go/bbb/viz"
)

// checkFormat lower-cases a --format value and checks it.
func checkFormat(format *string) error {
	*format = strings.ToLower(*format)
	if _, err := viz.Format("x." + *format); err != nil {
		return usagef("--format %q: want png, svg or pdf", *format)
	}
	return nil
}

func dtypeBytes(dtype string) int {
	if dtype == "float64" {
		return 8
	}
	return 4
}

// checkFilePath checks that a file named by a flag can be written there
// later: not a directory, in a directory that exists. "" passes (unset).
func checkFilePath(flagName, path string) error {
	if path == "" {
		return nil
	}
	if strings.TrimSpace(path) == "" {
		return usagef("%s: empty path", flagName)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("%s %s: is a directory (want a file name)", flagName, path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return usagef("%s %s: directory %s: %v", flagName, path, dir, unwrapPath(err))
	case !fi.IsDir():
		return usagef("%s %s: %s is not a directory", flagName, path, dir)
	}
	f, err := os.CreateTemp(dir, ".bbb-write-check-*")
	if err != nil {
		return usagef("%s %s: cannot write in %s: %v", flagName, path, dir, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
