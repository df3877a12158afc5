package settingflag

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Numbers are read in decimal: the flag package reads an int or uint64
// in Go's syntax (base prefixes, underscores), so "--seed 010" was seed 8
// and "--seed 09" an error, while every list flag read "010" as 10; and a
// float64 in Go's hexadecimal form ("0x1p-3"), and 1e-400 as 0. A
// zero-padded number is decimal here, a base prefix, an underscore or a
// hexadecimal float is a parse error, and a number too small for a
// float64 but not zero is out of range.

// errParse and errRange are the flag package's words for a number it
// cannot read and one out of range: a bad value reads as before.
var (
	errParse = errors.New("parse error")
	errRange = errors.New("value out of range")
)

func numError(err error) error {
	if errors.Is(err, strconv.ErrRange) {
		return errRange
	}
	return errParse
}

type (
	decimalInt    int
	decimalUint64 uint64
	decimalFloat  float64
)

func (v *decimalInt) Set(s string) error {
	n, err := parseInt(s)
	*v = decimalInt(n)
	return err
}

func (v *decimalInt) String() string { return strconv.Itoa(int(*v)) }

func (v *decimalUint64) Set(s string) error {
	n, err := parseUint(s)
	*v = decimalUint64(n)
	return err
}

func (v *decimalUint64) String() string { return strconv.FormatUint(uint64(*v), 10) }

func (v *decimalFloat) Set(s string) error {
	x, err := parseFloat(s)
	*v = decimalFloat(x)
	return err
}

func (v *decimalFloat) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }

// IntVar defines an int flag read in decimal, with value as its default,
// as fs.IntVar does: for a command's flag that is no field of a settings
// type.
func IntVar(fs *flag.FlagSet, p *int, name string, value int, usage string) {
	*p = value
	fs.Var((*decimalInt)(p), name, usage)
}

// ErrRange is the error of a number out of a flag's range, and of one
// too small for a float64 that is not zero (ParseFloat).
var ErrRange = errRange

// ParseFloat reads a number as a float64 flag does: in decimal, with
// the flag package's errors (the package comment). Lists of numbers in a
// flag's value read their items with it.
func ParseFloat(s string) (float64, error) { return parseFloat(s) }

// parseInt, parseUint and parseFloat read a flag's number in decimal
// (the package comment).
func parseInt(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, strconv.IntSize)
	if err != nil {
		return 0, numError(err)
	}
	return int(n), nil
}

func parseUint(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, numError(err)
	}
	return n, nil
}

func parseFloat(s string) (float64, error) {
	if strings.ContainsAny(s, "xX_") { // (Go's hexadecimal floats and digit separators)
		return 0, errParse
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, numError(err)
	}
	if mantissa, _, _ := strings.Cut(strings.ToLower(s), "e"); x == 0 && strings.ContainsAny(mantissa, "123456789") {
		return 0, errRange // (1e-400: below the smallest float64, read as 0)
	}
	return x, nil
}

// typeNames are the names PrintDefaults gives the decimal flags' values,
// those the flag package gives its own int, uint64 and float64 flags.
var typeNames = map[reflect.Type]string{
	reflect.TypeFor[*decimalInt](): "int", reflect.TypeFor[*decimalUint64](): "uint", reflect.TypeFor[*decimalFloat](): "float",
}

// PrintDefaults writes fs's flags to w as fs.PrintDefaults does, but for
// naming the decimal flags' values int, uint and float, as it names its
// own, where it would say "value".
func PrintDefaults(w io.Writer, fs *flag.FlagSet) error {
	var b strings.Builder
	out := fs.Output()
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(out)
	named := map[string]string{} // a flag's first line as printed, as it should read
	fs.VisitAll(func(f *flag.Flag) {
		if t, ok := typeNames[reflect.TypeOf(f.Value)]; ok {
			named["  -"+f.Name+" value"] = "  -" + f.Name + " " + t
		}
	})
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		if r, ok := named[l]; ok {
			lines[i] = r
		}
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}
