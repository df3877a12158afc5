package rundir

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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
	if EmptyFile(path) {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var magic [2]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || magic != [2]byte{0x1f, 0x8b} {
		return errors.New("exists and is not a CPU profile, so bbb will not overwrite it; name a new file, or remove it first")
	}
	return nil
}

// ReplacesText returns a check for Plan.Replacing of a text output
// (predict's CSV, dot's graph): it may replace only an empty file or one
// whose first line holds mark (what the command writes there), so that a
// typo cannot turn a model or a data file into the loss of it. what names
// the output in the refusal.
func ReplacesText(what, mark string) func(path string) error {
	return func(path string) error {
		if EmptyFile(path) {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		line, _ := bufio.NewReader(io.LimitReader(f, 1<<16)).ReadString('\n')
		if strings.Contains(line, mark) && !strings.ContainsRune(line, 0) { // (a binary file is no text output)
			return nil
		}
		return fmt.Errorf("exists and is not %s, so bbb will not overwrite it; name a new file, or remove it first", what)
	}
}
