package job

import (
	"flag"
	"testing"

	"github.com/bbb-go/bbb/internal/settingflag"
)

// Every preset sets flags of train's settings, to values they hold.
func TestPresetsSetSettings(t *testing.T) {
	for name, p := range Presets {
		var m ModelSettings
		var r RunSettings
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		settingflag.Define(fs, &m, &r)
		for k, v := range p {
			if err := fs.Set(k, v); err != nil {
				t.Errorf("preset %s: --%s %s: %v", name, k, v, err)
			}
		}
	}
	if len(Presets["seed"]) != 0 {
		t.Errorf("the seed preset sets %v: it is the defaults", Presets["seed"])
	}
}
