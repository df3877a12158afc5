package memory_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/memory"
)

// --max-memory reads every unit up to E (before: "1EiB" was called "not a
// size > 0"), refuses what no 64-bit process can address, and says what
// is wrong: the unit, the number or the range.
func TestMaxMemoryParse(t *testing.T) {
	for in, want := range map[string]float64{"1EiB": 1 << 60, "2P": 2 << 50, "16EiB": 1 << 64, "1.5": 2, "12Gb": 12 << 30, " 7 kib ": 7 << 10,
		"12GiB": 12 << 30, "800M": 800 << 20, "1.5g": 1.5 * (1 << 30), "4096": 4096, "2kb": 2048, "3 T": 3 << 40} {
		var l memory.Limit
		if err := l.Set(in); err != nil || l.Bytes() != want {
			t.Errorf("--max-memory %q: %v bytes, %v; want %v", in, l.Bytes(), err, want)
		}
		if p, err := memory.ParseLimit(in); err != nil || p != l {
			t.Errorf("ParseLimit(%q) = %v, %v; want Set's %v", in, p, err, l)
		}
	}
	for in, want := range map[string]string{
		"17EiB": "at most 16EiB", "1e30": "at most 16EiB", "1e400": "at most 16EiB", "12XB": `unit "XB"`, "1i": `unit "i"`,
		"0x10G": "not a number", "0x1p33": "not a number", "1_000M": "not a number", "NaN": "want a number", "Inf": "want a number", "": "want a number", "G": "want a number",
		"0": "at least 1 byte", "-5G": "at least 1 byte", "0.4": "at least 1 byte", "1e-400": "at least 1 byte",
	} {
		var l memory.Limit
		if err := l.Set(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--max-memory %q: error %v, want one with %q", in, err, want)
		}
		if _, err := memory.ParseLimit(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseLimit(%q): error %v, want one with %q", in, err, want)
		}
	}
}

// NewLimit takes bytes over Set's range, rounded; the zero Limit is unset
// and prints as nothing, a set one as Format writes it; a Limit is a
// flag.Value.
func TestNewLimit(t *testing.T) {
	for in, want := range map[float64]float64{1: 1, 1.5: 2, 1 << 30: 1 << 30, 1 << 64: 1 << 64} {
		if l, err := memory.NewLimit(in); err != nil || l.Bytes() != want {
			t.Errorf("NewLimit(%v) = %v, %v; want %v bytes", in, l.Bytes(), err, want)
		}
	}
	for in, want := range map[float64]string{0: "at least 1 byte", -1: "at least 1 byte", 0.4: "at least 1 byte", 1 << 65: "at most 16EiB"} {
		if l, err := memory.NewLimit(in); err == nil || !strings.Contains(err.Error(), want) || l != (memory.Limit{}) {
			t.Errorf("NewLimit(%v) = %v, %v; want the zero Limit and an error with %q", in, l, err, want)
		}
	}
	var zero memory.Limit
	if zero.Bytes() != 0 || zero.String() != "" || (*memory.Limit)(nil).String() != "" {
		t.Errorf("zero Limit: %v bytes, %q", zero.Bytes(), zero.String())
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var l memory.Limit
	fs.Var(&l, "max-memory", "")
	if err := fs.Parse([]string{"--max-memory", "1.5GiB"}); err != nil || l.String() != "1.5 GiB" {
		t.Errorf("--max-memory 1.5GiB: %q, %v", l.String(), err)
	}
}
