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

// One flipped byte anywhere in an array's member (its .npy header or its
// values) is refused, naming the array, as NumPy refuses it ("Bad
// CRC-32"); so is a CRC-32 zeroed in the zip's directory (which Go's zip
// reader takes for "not recorded").
func TestDamagedRefused(t *testing.T) {
	var buf bytes.Buffer
	arrays := map[string]Array{"w": {Shape: []int{3}, Data: []float64{1, 2, 3}}}
	if err := Write(&buf, arrays); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	start := bytes.Index(good, []byte("\x93NUMPY"))
	end := start + 128 + 3*8 // the .npy header is padded to 128 bytes here
	if start < 0 || !bytes.Equal(good[end-8:end], []byte{0, 0, 0, 0, 0, 0, 8, 64}) {
		t.Fatalf("layout: member at %d", start)
	}
	for _, at := range []int{start + 20, end - 1, end - 9} {
		for _, flip := range []byte{1, 0x80} {
			b := bytes.Clone(good)
			b[at] ^= flip
			_, err := Read(bytes.NewReader(b), int64(len(b)))
			if err == nil || !strings.Contains(err.Error(), "array w: bad CRC-32") && !strings.Contains(err.Error(), "member w.npy") {
				t.Errorf("byte %d ^ %#x: %v", at, flip, err)
			}
		}
	}
	// The value bytes: the CRC is the only guard.
	b := bytes.Clone(good)
	b[end-1] ^= 1
	if _, err := Read(bytes.NewReader(b), int64(len(b))); err == nil || !strings.Contains(err.Error(), "array w: bad CRC-32") {
		t.Errorf("a flipped value bit: %v", err)
	}
	// Zero the CRC-32 in the central directory (signature PK\x01\x02, CRC at +16).
	b = bytes.Clone(good)
	cd := bytes.LastIndex(b, []byte("PK\x01\x02"))
	copy(b[cd+16:cd+20], []byte{0, 0, 0, 0})
	if _, err := Read(bytes.NewReader(b), int64(len(b))); err == nil || !strings.Contains(err.Error(), "bad CRC-32") {
		t.Errorf("a zeroed CRC: %v", err)
	}
	if _, err := Read(bytes.NewReader(good), int64(len(good))); err != nil {
		t.Errorf("the undamaged file: %v", err)
	}
}

// Arrays over several read chunks, of each dtype, and empty ones, read
// back whole.
func TestRoundTripLarge(t *testing.T) {
	n := chunkBytes/4 + 3 // float32: one chunk and a bit; the others more
	f32, f64, i64, u8 := make([]float32, n), make([]float64, n), make([]int64, n), make([]uint8, 3*chunkBytes+1)
	for i := range n {
		f32[i], f64[i], i64[i] = float32(i), float64(-i), int64(i)*7
	}
	for i := range u8 {
		u8[i] = uint8(i * 13)
	}
	in := map[string]Array{
		"f32": {Shape: []int{n}, Data: f32}, "f64": {Shape: []int{n, 1}, Data: f64},
		"i64": {Shape: []int{1, n}, Data: i64}, "u8": {Shape: []int{len(u8)}, Data: u8},
		"empty": {Shape: []int{0}, Data: []float32{}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Error("arrays differ after the round trip")
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
