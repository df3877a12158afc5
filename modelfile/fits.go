package modelfile

import (
	"fmt"
	"os"

	"github.com/bbb-go/bbb/memory"
)

// A TooBigError is a model file larger than the memory available to read
// it (CheckFits): its arrays take about its size in memory.
type TooBigError struct {
	Size, Available float64 // bytes
}

func (e *TooBigError) Error() string {
	return fmt.Sprintf("%s file, %s of memory is available", memory.Format(e.Size), memory.Format(e.Available))
}

// CheckFits refuses, before Read, a model file at path larger than avail
// bytes (memory.Available) with a *TooBigError. A path that is not a
// regular file passes (Read refuses it), and so does any file when avail
// is 0 or less (the available memory unknown).
func CheckFits(path string, avail float64) error {
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && avail > 0 && float64(st.Size()) > avail {
		return &TooBigError{Size: float64(st.Size()), Available: avail}
	}
	return nil
}
