package rundir

import (
	"errors"
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
