package modelfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/data"
)

// DataError says why a data set is not the one a model was trained on
// (File.CheckData).
type DataError struct {
	File   string // which of the model's files: "data" (Data.File) or "val" (Data.Val)
	Reason string // what differs, to follow the file's name
}

func (e *DataError) Error() string { return e.File + " " + e.Reason }

// CheckData reports, as a *DataError, a data set d (read by
// data.LoadFitted) that is not the one f was trained on, so that a resumed
// run goes on with the same data wherever its files have moved: its files
// must have the SHA-256s f records; for a file of an older build, which
// records none, its columns must be f's by name and its training rows
// have the means and standard deviations of f's scaler.
func (f *File) CheckData(d *data.Fitted) error {
	m := f.Model
	for _, c := range []struct{ file, recorded, have string }{
		{"data", m.Data.FileSHA256, d.TrainSHA256},
		{"val", m.Data.ValSHA256, d.ValSHA256},
	} {
		if c.recorded != "" && c.have != c.recorded {
			return &DataError{File: c.file, Reason: "is not the data it was trained on (not the file whose SHA-256 the model records)"}
		}
	}
	if !slices.Equal(d.Table.XNames, m.XNames) || d.Table.YName != m.YName {
		return &DataError{File: "data", Reason: fmt.Sprintf("has the columns %s -> %s, the model %s -> %s",
			strings.Join(d.Table.XNames, ","), d.Table.YName, strings.Join(m.XNames, ","), m.YName)}
	}
	if !data.SameScaler(m.Scaler, &d.Scaler) {
		return &DataError{File: "data", Reason: "is not the data it was trained on (its training rows' means and standard deviations differ)"}
	}
	return nil
}

// Moved reports whether the data file f records as file ("data":
// Data.File, "val": Data.Val) is not at its recorded path now: gone (or a
// link to nothing), or, where f records its SHA-256, another file is there.
// A file f does not record is not moved.
func (f *File) Moved(file string) bool {
	path, sum := f.Model.Data.File, f.Model.Data.FileSHA256
	if file == "val" {
		path, sum = f.Model.Data.Val, f.Model.Data.ValSHA256
	}
	if path == "" {
		return false
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if sum == "" {
		return false
	}
	have, err := data.FileSHA256(path)
	return err != nil || have != sum
}
