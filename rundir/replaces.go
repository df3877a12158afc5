package rundir

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// EmptyFile reports whether path is an empty regular file: one that any
// output may replace (Plan.Replacing), as nothing is lost.
func EmptyFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == 0
}

// ReplacesProfile is a check for Plan.Replacing of a CPU profile output
// (runtime/pprof writes gzip data): it may replace only a profile or an
// empty file, so a typo cannot turn a profile into the loss of some
// other file.
func ReplacesProfile(path string) error {
	return replacesIf(path, "a CPU profile", 2, func(head []byte) bool { return bytes.Equal(head, []byte{0x1f, 0x8b}) })
}

// ReplacesText returns a check for Plan.Replacing of a text output
// (predict's CSV, dot's graph): it may replace only an empty file or one
// whose first line holds mark (what the command writes there), so that a
// typo cannot turn a model or a data file into the loss of it. what names
// the output in the refusal.
func ReplacesText(what, mark string) func(path string) error {
	return func(path string) error {
		return replacesIf(path, what, 1<<16, func(head []byte) bool {
			line, _, _ := bytes.Cut(head, []byte("\n"))
			return bytes.Contains(line, []byte(mark)) && bytes.IndexByte(line, 0) < 0 // (a binary file is no text output)
		})
	}
}

// replacesIf lets an output replace path if it is empty or its first n
// bytes (fewer in a shorter file) pass ok; else the refusal names what
// the output is.
func replacesIf(path, what string, n int, ok func(head []byte) bool) error {
	if EmptyFile(path) {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, n)
	m, _ := io.ReadFull(f, head)
	if ok(head[:m]) {
		return nil
	}
	return fmt.Errorf("exists and is not %s, so bbb will not overwrite it; name a new file, or remove it first", what)
}
