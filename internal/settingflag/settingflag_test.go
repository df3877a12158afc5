package settingflag

import (
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"
)

type settings struct {
	First  int           // not a flag (fields after it still are)
	Count  int           `flag:"count" default:"5" help:"a count"`
	Seed   uint64        `flag:"seed" default:"016" help:"a seed"`
	Scale  float64       `flag:"scale" default:"0.0024787521766663585" help:"a scale"`
	Name   string        `flag:"name" default:"normal" help:"a name"`
	On     bool          `flag:"on" default:"true" help:"a switch"`
	Off    bool          `flag:"off" help:"another"`
	Poll   time.Duration `flag:"poll" default:"1m30s" help:"a duration"`
	Hidden int           // not a flag
}

func TestSetDefaults(t *testing.T) {
	s := settings{Off: true, Hidden: 7}
	SetDefaults(&s)
	want := settings{Count: 5, Seed: 16, Scale: 0.0024787521766663585, Name: "normal", On: true, Poll: 90 * time.Second, Hidden: 7}
	if s != want {
		t.Errorf("SetDefaults: %+v, want %+v", s, want)
	}
}

// Register's flags set the fields, default to their values before it and
// print their help; a field without a tag is no flag.
func TestRegister(t *testing.T) {
	var s settings
	SetDefaults(&s)
	s.Count = 9 // (a default the caller computes)
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Register(fs, &s)
	if err := fs.Parse([]string{"--scale", "1.5", "--name", "mixture", "--on=false", "--off", "--seed", "3", "--poll", "2s"}); err != nil {
		t.Fatal(err)
	}
	want := settings{Count: 9, Seed: 3, Scale: 1.5, Name: "mixture", Off: true, Poll: 2 * time.Second}
	if s != want {
		t.Errorf("parsed %+v, want %+v", s, want)
	}
	for name, def := range map[string]string{"count": "9", "seed": "16", "scale": "0.0024787521766663585", "name": "normal", "on": "true", "off": "false", "poll": "1m30s"} {
		f := fs.Lookup(name)
		if f == nil {
			t.Fatalf("no flag --%s", name)
		}
		if f.DefValue != def || !strings.HasPrefix(f.Usage, "a") {
			t.Errorf("--%s: default %q usage %q, want default %q", name, f.DefValue, f.Usage, def)
		}
	}
	if fs.Lookup("hidden") != nil || fs.Lookup("Hidden") != nil {
		t.Error("an untagged field became a flag")
	}
}

func TestNames(t *testing.T) {
	type other struct {
		Steps int `flag:"epochs"`
		Count int `flag:"count"` // (the same flag as settings.Count: allowed)
	}
	got := Names(&settings{}, &other{})
	want := map[string]string{"Count": "--count", "Seed": "--seed", "Scale": "--scale", "Name": "--name", "On": "--on", "Off": "--off", "Poll": "--poll", "Steps": "--epochs"}
	if len(got) != len(want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Names[%s] = %q, want %q", k, got[k], v)
		}
	}
}

type (
	kind     int
	Settings settings
	plain    struct{ N int }
	Nested   struct {
		Z int `flag:"z"`
	}
)

// The fields of an embedded struct are flags too.
func TestEmbedded(t *testing.T) {
	var s struct {
		Settings
		Extra string `flag:"extra" default:"x"`
		plain        // (no flags: not a field of flags, and fine)
		Inner Nested // a struct field, not embedded: no flags
	}
	SetDefaults(&s)
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Register(fs, &s)
	if err := fs.Parse([]string{"--count", "2"}); err != nil {
		t.Fatal(err)
	}
	if s.Count != 2 || s.Name != "normal" || s.Extra != "x" {
		t.Errorf("embedded: %+v", s)
	}
	if n := Names(&s); n["Count"] != "--count" || n["Extra"] != "--extra" || len(n) != 8 {
		t.Errorf("Names of the embedding struct: %v", n)
	}
}

// Misuse is a programming error: it panics, naming the field.
func TestPanics(t *testing.T) {
	type badDefault struct {
		N int `flag:"n" default:"five"`
	}
	type badType struct {
		L []int `flag:"l"`
	}
	type clash struct {
		Count int `flag:"number"`
	}
	for _, c := range []struct {
		name, want string
		f          func()
	}{
		{"not a pointer", "settingflag.settings is not a non-nil pointer to a struct", func() { SetDefaults(settings{}) }},
		{"not a struct", "*int is not a non-nil pointer to a struct", func() { n := 1; Names(&n) }},
		{"nil", "*settingflag.settings is not a non-nil pointer to a struct", func() { Names((*settings)(nil)) }},
		{"unexported", "field n: a flag's field must be exported", func() {
			Names(&struct {
				n int `flag:"n"`
			}{})
		}},
		{"named type", "field K: type settingflag.kind is not a flag's", func() {
			Names(&struct {
				K kind `flag:"k"`
			}{})
		}},
		{"bad default", `field N: default "five"`, func() { SetDefaults(&badDefault{}) }},
		{"bad duration", `field D: default "5"`, func() {
			SetDefaults(&struct {
				D time.Duration `flag:"d" default:"5"`
			}{})
		}},
		{"int64", "field I: type int64 is not a flag's", func() {
			Names(&struct {
				I int64 `flag:"i"`
			}{})
		}},
		{"bad type", "field L: type []int is not a flag's", func() { Register(flag.NewFlagSet("t", flag.ContinueOnError), &badType{}) }},
		{"bad type value", "field L: type []int is not a flag's", func() {
			SetDefaults(&struct {
				L []int `flag:"l" default:"1"`
			}{})
		}},
		{"two flags", "field Count is --count and --number", func() { Names(&settings{}, &clash{}) }},
		{"two tags", `flag --count has help tags "a count" and "another"`, func() {
			Tags("help", &settings{}, &struct {
				N int `flag:"count" help:"another"`
			}{})
		}},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Errorf("%s: panic %v, want one with %q", c.name, r, c.want)
				}
			}()
			c.f()
		}()
	}
}

// Tags gives a tag of every flag, by flag name, "" where a field has none.
func TestTags(t *testing.T) {
	type more struct {
		Extra int `flag:"extra" effect:"name=x: why"`
	}
	got := Tags("effect", &settings{}, &more{})
	if len(got) != 8 || got["extra"] != "name=x: why" || got["count"] != "" {
		t.Errorf("Tags = %v", got)
	}
	if h := Tags("help", &settings{}); h["poll"] != "a duration" || h["off"] != "another" {
		t.Errorf("Tags(help) = %v", h)
	}
}

// Define is SetDefaults then Register, for each struct.
func TestDefine(t *testing.T) {
	type more struct {
		Extra int `flag:"extra" default:"3"`
	}
	s, m := settings{Count: 1, Hidden: 7}, more{}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Define(fs, &s, &m)
	if s.Count != 5 || s.Hidden != 7 || m.Extra != 3 || fs.Lookup("count").DefValue != "5" || fs.Lookup("extra") == nil {
		t.Errorf("Define: %+v %+v", s, m)
	}
}
