package npz

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sample() map[string]Array {
	return map[string]Array{
		"w":    {Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6.5}},
		"b":    {Shape: []int{3}, Data: []float64{-1, 0, 1e300}},
		"t":    {Shape: nil, Data: []int64{42}},
		"meta": {Shape: []int{2}, Data: []uint8("{}")},
	}
}

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sample()) {
		t.Errorf("got %+v", got)
	}
	for cut := 0; cut < buf.Len(); cut += 7 {
		if _, err := Read(bytes.NewReader(buf.Bytes()[:cut]), int64(cut)); err == nil {
			t.Errorf("truncated at %d: no error", cut)
		}
	}
}

// NumPy reads what Write writes (where python3 with numpy exists).
func TestNumPyLoads(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil || exec.Command(py, "-c", "import numpy").Run() != nil {
		t.Skip("no python3 with numpy")
	}
	p := filepath.Join(t.TempDir(), "a.npz")
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, buf.Bytes(), 0o644)
	out, err := exec.Command(py, "-c", `import numpy as np, sys
z = np.load(sys.argv[1])
print(z['w'].dtype, z['w'].shape, z['w'][1, 2], z['b'].dtype, z['b'][2], int(z['t']), bytes(z['meta']).decode())`, p).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "float32 (2, 3) 6.5 float64 1e+300 42 {}" {
		t.Errorf("numpy read %q", got)
	}
}

// FuzzRead: no panic, no huge allocation, on any input.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, sample())
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Read(bytes.NewReader(b), int64(len(b)))
	})
}
