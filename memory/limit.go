package memory

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/bbb-go/bbb/internal/settingflag"
)

// Limit is the memory a run may take (bbb's --max-memory), instead of
// what the machine has available now. The zero Limit is unset: Check
// compares with Available. A Limit is a flag.Value.
type Limit struct{ bytes float64 }

// maxLimit is the largest Limit: 16 EiB, all that a 64-bit process can
// address (a larger limit would mean nothing).
const maxLimit = 1 << 64

// ParseLimit reads a size as Set does ("12GiB", "800M", "4096").
func ParseLimit(s string) (Limit, error) {
	var l Limit
	err := l.Set(s)
	return l, err
}

// NewLimit is a Limit of bytes, rounded to whole bytes: from 1 byte to
// 16 EiB, as Set takes.
func NewLimit(bytes float64) (Limit, error) {
	var l Limit
	if err := l.setBytes(bytes); err != nil {
		return Limit{}, err
	}
	return l, nil
}

// Bytes is the limit in bytes; 0 for the zero Limit.
func (l Limit) Bytes() float64 { return l.bytes }

// String is the limit as Format writes it; "" for the zero Limit.
func (l *Limit) String() string {
	if l == nil || l.bytes == 0 {
		return ""
	}
	return Format(l.bytes)
}

// Set reads a size: a number with an optional unit K, M, G, T, P or E
// (powers of 1024; KiB, KB and k alike), bytes without one or with B;
// from 1 byte to 16 EiB, rounded to whole bytes. Each error says what is
// wrong (the unit, the number, the range), not only that it is.
func (l *Limit) Set(v string) error {
	s := strings.TrimSpace(v)
	i := len(s)
	for i > 0 && unicode.IsLetter(rune(s[i-1])) {
		i--
	}
	num, unit := strings.TrimSpace(s[:i]), strings.ToUpper(s[i:])
	scale, ok := sizeUnit(unit)
	switch {
	case num == "":
		return fmt.Errorf("want a number with an optional unit, such as 12GiB, 800M or 500000000")
	case !ok:
		return fmt.Errorf("unit %q: want B, K, M, G, T, P or E (powers of 1024: 12GiB, 800M), or none for bytes", s[i:])
	}
	if _, err := settingflag.ParseFloat(num); err != nil && !errors.Is(err, settingflag.ErrRange) { // (decimal, as every number of a flag: no 0x1p33)
		return fmt.Errorf("%q is not a number: want a size such as 12GiB, 800M or 500000000", num)
	}
	x, err := strconv.ParseFloat(num, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return fmt.Errorf("%q is not a number: want a size such as 12GiB, 800M or 500000000", num)
	case math.IsNaN(x) || math.IsInf(x, 0) || errors.Is(err, strconv.ErrRange) && x != 0:
		return errTooLarge
	}
	return l.setBytes(x * scale)
}

var errTooLarge = errors.New("want at most 16EiB (all that a 64-bit process can address)")

// setBytes sets the limit to bytes, rounded, within the range Set takes.
func (l *Limit) setBytes(bytes float64) error {
	switch {
	case math.IsNaN(bytes) || math.IsInf(bytes, 0) || bytes > maxLimit:
		return errTooLarge
	case !(math.Round(bytes) >= 1):
		return fmt.Errorf("want a size of at least 1 byte, such as 12GiB or 800M")
	}
	l.bytes = math.Round(bytes)
	return nil
}

// sizeUnit is the bytes of a unit (upper-cased); false for an unknown one.
func sizeUnit(u string) (float64, bool) {
	if u == "" || u == "B" {
		return 1, true
	}
	for i, p := range "KMGTPE" {
		if u == string(p) || u == string(p)+"B" || u == string(p)+"IB" {
			return math.Pow(1024, float64(i+1)), true
		}
	}
	return 0, false
}
