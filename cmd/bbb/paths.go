package main

import (
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
