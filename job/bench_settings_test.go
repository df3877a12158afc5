package job

import (
	"fmt"
	"math"
	"testing"
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
