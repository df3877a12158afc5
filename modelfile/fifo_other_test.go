//go:build !unix

package modelfile

import "errors"

// mkfifo: no named pipes here (the tests that need one fail, saying so).
func mkfifo(string, uint32) error { return errors.New("no fifos on this system") }
