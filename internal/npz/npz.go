// Package npz writes and reads NumPy .npz files: a zip of .npy arrays
// (format 1.0, little-endian, C order). It knows the dtypes this project
// stores: <f4, <f8, <i8 and |u1.
package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Array is one array: Data holds float32 / float64 / int64 / uint8 values,
// Shape its dimensions (nil: a scalar).
type Array struct {
	Shape []int
	Data  any // []float32, []float64, []int64 or []uint8
}

// Len is the number of values.
func (a Array) Len() int {
	switch d := a.Data.(type) {
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	case []int64:
		return len(d)
	case []uint8:
		return len(d)
	}
	return 0
}

// Floats returns the values as float64 (nil for other types).
func (a Array) Floats() []float64 {
	switch d := a.Data.(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

func descr(d any) (string, int, error) {
	switch d.(type) {
	case []float32:
		return "<f4", 4, nil
	case []float64:
		return "<f8", 8, nil
	case []int64:
		return "<i8", 8, nil
	case []uint8:
		return "|u1", 1, nil
	}
	return "", 0, fmt.Errorf("npz: unsupported data %T", d)
}

// Write writes arrays (member NAME.npy each, in name order) to w.
func Write(w io.Writer, arrays map[string]Array) error {
	zw := zip.NewWriter(w)
	names := make([]string, 0, len(arrays))
	for n := range arrays {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := arrays[n]
		size := 1
		for _, d := range a.Shape {
			size *= d
		}
		if size != a.Len() {
			return fmt.Errorf("npz: %s: shape %v for %d values", n, a.Shape, a.Len())
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: n + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if err := writeNpy(fw, a); err != nil {
			return fmt.Errorf("npz: %s: %w", n, err)
		}
	}
	return zw.Close()
}

func writeNpy(w io.Writer, a Array) error {
	d, _, err := descr(a.Data)
	if err != nil {
		return err
	}
	shape := make([]string, len(a.Shape))
	for i, s := range a.Shape {
		shape[i] = strconv.Itoa(s)
	}
	st := strings.Join(shape, ", ")
	if len(a.Shape) == 1 {
		st += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", d, st)
	total := 10 + len(h) + 1
	pad := (64 - total%64) % 64
	h += strings.Repeat(" ", pad) + "\n"
	var hdr bytes.Buffer
	hdr.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&hdr, binary.LittleEndian, uint16(len(h)))
	hdr.WriteString(h)
	if _, err := w.Write(hdr.Bytes()); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, a.Data)
}

// MaxValues bounds one array read (a damaged header cannot ask for more).
const MaxValues = 1 << 31

// Read reads every .npy member of an npz file of size bytes.
func Read(r io.ReaderAt, size int64) (map[string]Array, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not an npz (zip) file: %w", err)
	}
	out := map[string]Array{}
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			continue
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("member %s twice", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", f.Name, err)
		}
		if f.UncompressedSize64 > uint64(size)*1100+1<<20 { // beyond deflate's ratio: a damaged header
			rc.Close()
			return nil, fmt.Errorf("member %s: claims %d bytes in a %d-byte file", f.Name, f.UncompressedSize64, size)
		}
		// The CRC-32 over every byte of the member, checked here: zip's
		// reader checks it only on reading to EOF, which an array read of
		// exactly its size never does, and not at all where it is 0.
		crc := crc32.NewIEEE()
		a, err := readNpy(io.TeeReader(rc, crc), int64(f.UncompressedSize64))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", f.Name, err)
		}
		if sum := crc.Sum32(); sum != f.CRC32 {
			return nil, fmt.Errorf("array %s: bad CRC-32 (%08x, the zip records %08x): the file is damaged", name, sum, f.CRC32)
		}
		out[name] = a
	}
	return out, nil
}

var headerRE = regexp.MustCompile(`^\{\s*'descr':\s*'([<|][fiu][148])',\s*'fortran_order':\s*False,\s*'shape':\s*\(([0-9,\s]*)\),?\s*\}\s*$`)

func readNpy(r io.Reader, size int64) (Array, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return Array{}, fmt.Errorf("truncated .npy header")
	}
	if string(pre[:6]) != "\x93NUMPY" || pre[6] != 1 {
		return Array{}, errors.New("not a .npy 1.x array")
	}
	hl := int(binary.LittleEndian.Uint16(pre[8:]))
	h := make([]byte, hl)
	if _, err := io.ReadFull(r, h); err != nil {
		return Array{}, fmt.Errorf("truncated .npy header")
	}
	m := headerRE.FindStringSubmatch(strings.TrimSpace(string(h)))
	if m == nil {
		return Array{}, fmt.Errorf("unsupported .npy header %q", clip(string(h)))
	}
	var shape []int
	n := int64(1)
	for _, f := range strings.Split(m[2], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 || v > MaxValues {
			return Array{}, fmt.Errorf("bad shape (%s)", m[2])
		}
		shape = append(shape, v)
		n *= int64(v)
		if n > MaxValues {
			return Array{}, fmt.Errorf("shape (%s) too large", m[2])
		}
	}
	width := map[string]int64{"<f4": 4, "<f8": 8, "<i8": 8, "|u1": 1, "<u1": 1}[m[1]]
	if width == 0 {
		return Array{}, fmt.Errorf("unsupported dtype %s", m[1])
	}
	if want := 10 + int64(hl) + n*width; size != want {
		return Array{}, fmt.Errorf("%d bytes, want %d for shape (%s) %s", size, want, m[2], m[1])
	}
	var data any
	switch width {
	case 4:
		data = make([]float32, n)
	case 8:
		if m[1] == "<f8" {
			data = make([]float64, n)
		} else {
			data = make([]int64, n)
		}
	default:
		data = make([]uint8, n)
	}
	var err error
	switch d := data.(type) {
	case []float32:
		err = readChunked(r, d)
	case []float64:
		err = readChunked(r, d)
	case []int64:
		err = readChunked(r, d)
	case []uint8:
		err = readChunked(r, d)
	}
	if err != nil {
		return Array{}, fmt.Errorf("truncated data: %w", err)
	}
	return Array{Shape: shape, Data: data}, nil
}

// chunkBytes is how much of an array one read decodes: the reader (a
// bounded file) checks for an interrupt between reads, and decoding needs
// only this much beside the array.
const chunkBytes = 1 << 20

func readChunked[T float32 | float64 | int64 | uint8](r io.Reader, d []T) error {
	var zero T
	per := chunkBytes / binary.Size(zero)
	for i := 0; i < len(d); i += per {
		if err := binary.Read(r, binary.LittleEndian, d[i:min(i+per, len(d))]); err != nil {
			return err
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
