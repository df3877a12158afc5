package job

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/bench"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/memory"
)

func TestBenchSettingsSizes(t *testing.T) {
	m := &ModelSettings{Hidden: 7, Points: 100, Layers: 3}
	for _, c := range []struct {
		b         BenchSettings
		oneHidden bool
		want      string // the lists, or the error's Text
	}{
		{BenchSettings{HiddenSizes: "20, 64"}, false, "[20 64] [100] [3]"},
		{BenchSettings{HiddenSizes: "20,64"}, true, "[7] [100] [3]"},
		{BenchSettings{HiddenSizes: "8", PointsList: "50,500", LayersList: "1,2"}, false, "[8] [50 500] [1 2]"},
		{BenchSettings{HiddenSizes: "8,x"}, false, `<HiddenSizes>: "x" is not a positive integer`},
		{BenchSettings{HiddenSizes: "x"}, true, `<HiddenSizes>: "x" is not a positive integer`},
		{BenchSettings{HiddenSizes: "8", PointsList: "0"}, false, `<PointsList>: "0" is not a positive integer`},
		{BenchSettings{HiddenSizes: "8", PointsList: "2000,9"}, false, `<PointsList> 2000,9: 9 points: need at least 10`},
		{BenchSettings{HiddenSizes: "8", PointsList: "10"}, false, "[8] [10] [3]"},
		{BenchSettings{HiddenSizes: "8", LayersList: "2,,3"}, false, `<LayersList>: "" is not a positive integer`},
		{BenchSettings{HiddenSizes: "20,64, 20"}, false, `<HiddenSizes> 20,64, 20: 20 listed twice`},
		{BenchSettings{HiddenSizes: "20,64, 20"}, true, `<HiddenSizes> 20,64, 20: 20 listed twice`},
		{BenchSettings{HiddenSizes: "8", PointsList: "50,50"}, false, `<PointsList> 50,50: 50 listed twice`},
		{BenchSettings{HiddenSizes: "8", LayersList: "2,3,2"}, false, `<LayersList> 2,3,2: 2 listed twice`},
	} {
		h, p, l, err := c.b.Sizes(m, c.oneHidden)
		got := fmt.Sprint(h, " ", p, " ", l)
		if err != nil {
			got = settingText(t, err)
		}
		if got != c.want {
			t.Errorf("%+v: %s, want %s", c.b, got, c.want)
		}
	}
}

func TestBenchSettingsCheckAndConfig(t *testing.T) {
	ok := BenchSettings{Steps: 30, Warmup: 3, Passes: 50, Seconds: 2}
	for _, c := range []struct {
		set  func(*BenchSettings)
		want string
	}{
		{func(*BenchSettings) {}, ""},
		{func(b *BenchSettings) { b.Steps = 2 }, "<Steps> 2: want 3 to 1000000000 (<Seconds> ends the timing sooner)"},
		{func(b *BenchSettings) { b.Warmup = -1 }, "<Warmup> -1: want 0 to 10000 (untimed steps, which <Seconds> does not end)"},
		{func(b *BenchSettings) { b.Passes = 1 }, "<Passes> 1: need at least 2"},
		{func(b *BenchSettings) { b.Seconds = math.NaN() }, "<Seconds> NaN: need a value > 0"},
	} {
		b := ok
		c.set(&b)
		if got := settingText(t, b.Check()); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
	m := seedSettings()
	for _, c := range []struct{ warmup, want int }{{0, -1}, {3, 3}} {
		b := ok
		b.Warmup = c.warmup
		cfg := b.Config(&m, false)
		if cfg.Warmup != c.want || cfg.Steps != 30 || cfg.Passes != 50 || cfg.Seconds != 2 || cfg.Train.Graph.Hidden != 20 {
			t.Errorf("warmup %d: %+v", c.warmup, cfg)
		}
	}
}

// CheckSizes names each size by the list it came from, hands every
// size's memory to fits, and checks the batch size against each data
// size.
func TestBenchSettingsCheckSizes(t *testing.T) {
	var m ModelSettings
	settingflag.SetDefaults(&m)
	b := BenchSettings{HiddenSizes: "20,64", PointsList: "100,400", Passes: 50}
	sizes := func(b BenchSettings, m *ModelSettings, oneHidden bool) bench.Sweep {
		h, p, l, err := b.Sizes(m, oneHidden)
		if err != nil {
			t.Fatal(err)
		}
		return bench.Sweep{Config: b.Config(m, false), Points: p, Layers: l, Hidden: h}
	}
	var seen []string
	fits := func(s memory.Sizes) error {
		seen = append(seen, fmt.Sprintf("%s/%s/%s/%d", s.PointsFrom, s.HiddenFrom, s.LayersFrom, s.Samples))
		return nil
	}
	if err := b.CheckSizes(&m, sizes(b, &m, false), false, 0, fits); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 4 || seen[0] != "--points-list 100/--hidden-sizes 20//50" {
		t.Errorf("sizes checked: %q", seen)
	}
	seen = nil
	if err := b.CheckSizes(&m, sizes(b, &m, true), true, 0, fits); err != nil || len(seen) != 2 || seen[1] != "--points-list 400///50" {
		t.Errorf("one --hidden: %v, %q", err, seen)
	}
	huge := BenchSettings{HiddenSizes: "20,100000000", Passes: 50}
	if err := huge.CheckSizes(&m, sizes(huge, &m, false), false, 0, fits); err == nil || !strings.HasPrefix(err.Error(), "--hidden-sizes 100000000") {
		t.Errorf("a width over the bound: %v", err)
	}
	deep := BenchSettings{HiddenSizes: "8", LayersList: "2,100000", Passes: 50}
	if err := deep.CheckSizes(&m, sizes(deep, &m, false), false, 0, fits); err == nil || !strings.HasPrefix(err.Error(), "--layers-list 100000") {
		t.Errorf("a depth over the bound: %v", err)
	}
	tooBig := errors.New("too big")
	if err := b.CheckSizes(&m, sizes(b, &m, false), false, 0, func(memory.Sizes) error { return tooBig }); err != tooBig {
		t.Errorf("fits' refusal: %v", err)
	}
	m.BatchSize = 90 // (100 points: 80 training rows)
	var se *SettingError
	if err := b.CheckSizes(&m, sizes(b, &m, false), false, 0, fits); !errors.As(err, &se) || se.Setting != "BatchSize" {
		t.Errorf("batch over the rows: %v", err)
	}
}

// CompareFiles lists each file once.
func TestBenchSettingsCompareFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.json")
	for _, c := range []struct{ list, want string }{
		{"", "[]"},
		{a + ", b.json", "[" + a + " b.json]"},
		{a + ",,b.json", `<Compare> "` + a + `,,b.json": empty file name in the list`},
		{a + "," + dir + "/./a.json", "<Compare>: " + a + " and " + dir + "/./a.json are one file (each backend once)"},
	} {
		files, err := BenchSettings{Compare: c.list}.CompareFiles()
		got := fmt.Sprint(files)
		if se := (*SettingError)(nil); errors.As(err, &se) {
			got = se.Text(func(s string) string { return "<" + s + ">" })
		}
		if got != c.want {
			t.Errorf("%q: got %s, want %s", c.list, got, c.want)
		}
	}
}
