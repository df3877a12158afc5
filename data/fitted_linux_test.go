package data

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A training file replaced while it is read (a script writing the next
// data set, mv over it): the digest LoadFitted records is that of the
// bytes it trained on, so that the model resumes from that file. (It used
// to hash the file again after the parse: the other file's digest, and the
// model resumed from neither.) The replacement is made the moment the file
// is open, seen in /proc/self/fd.
func TestLoadFittedDigestIsOfTheBytesRead(t *testing.T) {
	dir := t.TempDir()
	rows := func(sign int) []byte {
		var b strings.Builder
		b.WriteString("a,y\n")
		for i := range 200000 {
			x := float64(i%2000)/1000 - 1
			fmt.Fprintf(&b, "%.4f,%.4f\n", x, float64(sign)*x*x)
		}
		return []byte(b.String())
	}
	first, second := rows(1), rows(-1)
	path, next := filepath.Join(dir, "d.csv"), filepath.Join(dir, "next.csv")
	if err := os.WriteFile(path, first, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(next, second, 0o644); err != nil {
		t.Fatal(err)
	}
	replaced := make(chan bool, 1)
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			fds, _ := os.ReadDir("/proc/self/fd")
			for _, fd := range fds {
				if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && target == path {
					replaced <- os.Rename(next, path) == nil
					return
				}
			}
		}
		replaced <- false
	}()
	f, err := LoadFitted(CSVData{Train: path, ValFraction: 0.25}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !<-replaced {
		t.Skip("the file was not seen open: nothing replaced it while it was read")
	}
	sum := sha256.Sum256(first)
	if want := hex.EncodeToString(sum[:]); f.TrainSHA256 != want {
		t.Errorf("digest %s, want the file trained on's %s", f.TrainSHA256, want)
	}
	if f.Raw.Train.Y[len(f.Raw.Train.Y)-1] < 0 {
		t.Fatal("trained on the replacement: the test did not replace the file while it was read")
	}
}
