package settingflag

import (
	"errors"
	"flag"
	"math"
	"strings"
	"testing"
)

// The numeric flags read decimal numbers only: a zero-padded one in
// decimal (as the list flags read it), a base prefix, an underscore or a
// hexadecimal float refused in the flag package's words, and a float too
// small for a float64 (not written as zero) out of range.
func TestDecimal(t *testing.T) {
	type nums struct {
		N int     `flag:"n"`
		U uint64  `flag:"u"`
		F float64 `flag:"f"`
	}
	for _, c := range []struct {
		arg  string
		want nums
		err  string // "" accepted
	}{
		{"-n=010", nums{N: 10}, ""},
		{"-n=+5", nums{N: 5}, ""},
		{"-n=-3", nums{N: -3}, ""},
		{"-n=09", nums{N: 9}, ""},
		{"-n=0x10", nums{}, "parse error"},
		{"-n=0b1", nums{}, "parse error"},
		{"-n=0o7", nums{}, "parse error"},
		{"-n=1_0", nums{}, "parse error"},
		{"-n=abc", nums{}, "parse error"},
		{"-n=99999999999999999999", nums{}, "value out of range"},
		{"-u=007", nums{U: 7}, ""},
		{"-u=0x10", nums{}, "parse error"},
		{"-u=-1", nums{}, "parse error"},
		{"-u=99999999999999999999", nums{}, "value out of range"},
		{"-f=0.5", nums{F: 0.5}, ""},
		{"-f=010", nums{F: 10}, ""},
		{"-f=1E-3", nums{F: 0.001}, ""},
		{"-f=0e5", nums{}, ""},
		{"-f=0.000e-500", nums{}, ""},
		{"-f=1e-310", nums{F: 1e-310}, ""},
		{"-f=0x1p3", nums{}, "parse error"},
		{"-f=1_0", nums{}, "parse error"},
		{"-f=1.5.0", nums{}, "parse error"},
		{"-f=1e400", nums{}, "value out of range"},
		{"-f=1e-400", nums{}, "value out of range"},
		{"-f=-5e-999", nums{}, "value out of range"},
	} {
		var got nums
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(new(strings.Builder))
		Register(fs, &got)
		err := fs.Parse([]string{c.arg})
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.arg, err)
		case c.err == "" && got != c.want:
			t.Errorf("%s: %+v, want %+v", c.arg, got, c.want)
		case c.err != "" && (err == nil || !strings.HasSuffix(err.Error(), ": "+c.err)):
			t.Errorf("%s: error %v, want one ending %q", c.arg, err, c.err)
		}
	}
	var rows int
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	IntVar(fs, &rows, "rows", 16000, "batch rows")
	if rows != 16000 || fs.Lookup("rows").DefValue != "16000" {
		t.Errorf("IntVar: %d, default %q", rows, fs.Lookup("rows").DefValue)
	}
	if err := fs.Parse([]string{"-rows", "010"}); err != nil || rows != 10 {
		t.Errorf("IntVar -rows 010: %d, %v", rows, err)
	}
	if _, err := ParseFloat("1e-400"); !errors.Is(err, ErrRange) {
		t.Errorf("ParseFloat 1e-400: %v, want ErrRange", err)
	}
	var f nums
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	Register(fs, &f)
	for _, arg := range []string{"-f=Inf", "-f=nan"} { // (refused by the settings' own checks, naming the setting)
		if err := fs.Parse([]string{arg}); err != nil || !math.IsInf(f.F, 1) && !math.IsNaN(f.F) {
			t.Errorf("%s: %v, %v", arg, f.F, err)
		}
	}
}

// PrintDefaults prints what the flag package prints for its own int,
// uint64 and float64 flags of the same names, defaults and usages.
func TestPrintDefaults(t *testing.T) {
	s := settings{}
	SetDefaults(&s)
	ours := flag.NewFlagSet("t", flag.ContinueOnError)
	Register(ours, &s)
	ours.Int("x", 0, "a one-letter int flag")
	ours.Var(new(decimalFloat), "y", "a `rate` named in its usage")
	stdlib := flag.NewFlagSet("t", flag.ContinueOnError)
	var d settings
	SetDefaults(&d)
	stdlib.IntVar(&d.Count, "count", d.Count, "a count")
	stdlib.Uint64Var(&d.Seed, "seed", d.Seed, "a seed")
	stdlib.Float64Var(&d.Scale, "scale", d.Scale, "a scale")
	stdlib.StringVar(&d.Name, "name", d.Name, "a name")
	stdlib.BoolVar(&d.On, "on", d.On, "a switch")
	stdlib.BoolVar(&d.Off, "off", d.Off, "another")
	stdlib.DurationVar(&d.Poll, "poll", d.Poll, "a duration")
	stdlib.Int("x", 0, "a one-letter int flag")
	stdlib.Float64("y", 0, "a `rate` named in its usage")
	var got, want strings.Builder
	if err := PrintDefaults(&got, ours); err != nil {
		t.Fatal(err)
	}
	stdlib.SetOutput(&want)
	stdlib.PrintDefaults()
	if got.String() != want.String() {
		t.Errorf("PrintDefaults:\n%s\nwant (the flag package's):\n%s", got.String(), want.String())
	}
	if !strings.Contains(got.String(), "  -seed uint\n") || !strings.Contains(got.String(), "  -scale float\n") {
		t.Errorf("PrintDefaults names no types:\n%s", got.String())
	}
	if ours.Output() == &got { // (its output as before)
		t.Error("PrintDefaults kept its buffer as the flag set's output")
	}
}
