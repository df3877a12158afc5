package flagrule

import (
	"flag"
	"testing"
)

// checkCases are a table of every kind of condition, and what Check says
// of a command line against it.
func TestCheck(t *testing.T) {
	testCheck(t, Table{
		"prior": nil, "data": nil, "no-figures": nil, "hidden": nil,
		"prior-pi":      {When("prior", "a mixture prior's weight", "mixture")},
		"points":        {When("data", "the rows come from --data", "")},
		"val":           {Unless("data", "", "it describes --data")},
		"format":        {When("no-figures", "no figure is written", "false")},
		"hidden-sizes":  {UnlessSet("hidden", "--hidden is the one width timed")},
		"lr-milestones": {Never("no step's time changes")},
		"figure-note":   {When("no-figures", "", "true")},
	}.With(Table{"format": {Unless("prior", "none", "")}}))
}

// The same table written as effect tags (FromTags, Parse) checks the same.
func TestFromTags(t *testing.T) {
	testCheck(t, FromTags(map[string]string{
		"prior": "", "data": "", "no-figures": "", "hidden": "",
		"prior-pi":      "prior=mixture: a mixture prior's weight",
		"points":        "data=: the rows come from --data",
		"val":           "data!=: it describes --data",
		"format":        "prior!=none; no-figures=false: no figure is written",
		"hidden-sizes":  "!hidden: --hidden is the one width timed",
		"lr-milestones": "never: no step's time changes",
		"figure-note":   "no-figures=true",
	}))
}

func TestParse(t *testing.T) {
	e, err := Parse("prior=mixture|normal: a prior: either; !hidden")
	if err != nil || len(e) != 2 || e[0].On != "prior" || e[0].Why != "a prior: either" || !e[0].Has("normal", false) ||
		e[0].Has("none", false) || e[1].On != "hidden" || e[1].Why != "" || !e[1].Has("", false) || e[1].Has("", true) {
		t.Errorf("Parse: %+v, %v", e, err)
	}
	if e, err := Parse("a!=x; b=; never"); err != nil || len(e) != 3 || e[0].On != "a" || e[0].Has("x", false) || !e[0].Has("y", false) ||
		e[1].On != "b" || !e[1].Has("", false) || e[1].Has("y", false) || e[2].On != "" || e[2].Has("", false) {
		t.Errorf("Parse: %+v, %v", e, err)
	}
	for _, bad := range []string{"", "prior", "=x", "!", "prior!x", "a b=c", "!on=x", "!=x", "data!=x; ", "a!b=x",
		"!a b", "!collect : why", "prior=mixture:", "data!=a|b", "a!!=x"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("FromTags of a bad rule: no panic")
		}
	}()
	FromTags(map[string]string{"x": "sometimes"})
}

// Text writes a flag as a user types it; only a true boolean flag has no value.
func TestText(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Bool("q", false, "")
	fs.String("name", "", "")
	for _, c := range []struct{ flag, v, want string }{{"q", "true", "--q"}, {"q", "false", "--q false"}, {"name", "true", "--name true"}} {
		if got := Text(fs.Lookup(c.flag), c.v); got != c.want {
			t.Errorf("Text(%s, %s) = %q, want %q", c.flag, c.v, got, c.want)
		}
	}
}

func testCheck(t *testing.T, table Table) {
	t.Helper()
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--prior", "mixture", "--prior-pi", "0.3"}, ""},
		{[]string{"--prior-pi", "0.3"}, "--prior-pi 0.3: has no effect with --prior normal (a mixture prior's weight)"},
		{[]string{"--points", "5", "--data", "a.csv"}, "--points 5: has no effect with --data a.csv (the rows come from --data)"},
		{[]string{"--val", "v.csv"}, "--val v.csv: has no effect without --data (it describes --data)"},
		{[]string{"--val", "v.csv", "--data", "a.csv"}, ""},
		{[]string{"--points", "5"}, ""},
		{[]string{"--no-figures", "--format", "svg"}, "--format svg: has no effect with --no-figures (no figure is written)"},
		{[]string{"--prior", "none", "--format", "svg"}, "--format svg: has no effect with --prior none"},
		{[]string{"--hidden", "8", "--hidden-sizes", "8,16"}, "--hidden-sizes 8,16: has no effect with --hidden 8 (--hidden is the one width timed)"},
		{[]string{"--hidden-sizes", "8,16"}, ""},
		{[]string{"--lr-milestones", "3"}, "--lr-milestones 3: has no effect in bbb bench (no step's time changes)"},
		{[]string{"--figure-note", "x"}, "--figure-note x: has no effect without --no-figures"},
		{[]string{"--no-figures", "--figure-note", "x"}, ""},
		// the first flag in name order
		{[]string{"--prior-pi", "0.3", "--lr-milestones", "3"}, "--lr-milestones 3: has no effect in bbb bench (no step's time changes)"},
	} {
		fs := flag.NewFlagSet("bench", flag.ContinueOnError)
		fs.String("prior", "normal", "")
		fs.String("data", "", "")
		fs.Bool("no-figures", false, "")
		fs.Int("hidden", 0, "")
		fs.String("prior-pi", "0.5", "")
		fs.Int("points", 10, "")
		fs.String("val", "", "")
		fs.String("format", "png", "")
		fs.String("hidden-sizes", "", "")
		fs.String("lr-milestones", "", "")
		fs.String("figure-note", "", "")
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		explicit := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
		err := table.Check(fs, explicit)
		if got := ""; err != nil {
			got = err.Error()
			if got != c.want {
				t.Errorf("%v: got %q, want %q", c.args, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%v: no error, want %q", c.args, c.want)
		}
	}
}

func TestWithKeepsOwnConditionsLast(t *testing.T) {
	base := Table{"a": {Never("own")}}
	got := base.With(Table{"a": {Never("mode")}, "b": nil})
	if len(got["a"]) != 2 || got["a"][0].Why != "mode" || got["a"][1].Why != "own" || len(base["a"]) != 1 {
		t.Errorf("With: %+v (base %+v)", got, base)
	}
	if _, ok := got["b"]; !ok {
		t.Error("With dropped b")
	}
}
