package data

import (
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/bbb-go/bbb/internal/boundedio"
)

// FileSHA256 is the SHA-256 of the regular file at path, in hex: what a
// model file records of its data files, so that a resumed run can tell
// the file it was trained on wherever it has moved.
func FileSHA256(path string) (string, error) {
	f, err := boundedio.Open(path, 0) // (a regular file; the read stops at the process's interrupt)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
