package main

import (
	"strings"

	"github.com/bbb-go/bbb/viz"
)

// checkFormat lower-cases a --format value and checks it.
func checkFormat(format *string) error {
	f, err := viz.ParseFormat(*format)
	if err != nil {
		return usagef("--format %q: want png, svg or pdf", strings.ToLower(*format))
	}
	*format = f
	return nil
}
