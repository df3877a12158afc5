package data

import (
	"io"

	"github.com/bbb-go/bbb/internal/boundedio"
)

// MaxCSVLine bounds one line of a CSV file: generous for any table (a
// thousand columns of 20-character numbers are 20 KiB), and it stops a
// file without line breaks (or /dev/zero's like) before its bytes pile up.
const MaxCSVLine = 16 << 20

// openCSV opens path for ReadCSV: a regular file only (a device or a FIFO
// is refused before reading), read in chunks that stop at the process's
// interrupt, with lines of at most MaxCSVLine bytes; every byte read is
// also written to hash, if not nil. The error is the bare reason; ReadCSV
// names the file.
func openCSV(path string, hash io.Writer) (io.ReadCloser, error) {
	f, err := boundedio.Open(path, 0)
	if err != nil {
		return nil, err
	}
	var r io.Reader = f
	if hash != nil {
		r = io.TeeReader(f, hash)
	}
	return struct {
		io.Reader
		io.Closer
	}{boundedio.LineLimit(r, MaxCSVLine), f}, nil
}
