package modelfile

import (
	"errors"
	"os"
)

// Replaceable is a check for rundir.Plan.Replacing of a model file output:
// it may replace only a model file (one Read accepts) or an empty file,
// so a typo or a link cannot turn a save into the loss of some other file.
func Replaceable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		return nil
	}
	if _, err := Read(path); err != nil {
		return errors.New("exists and is not a bbb model file, so bbb will not overwrite it; name a new file, or remove it first")
	}
	return nil
}
