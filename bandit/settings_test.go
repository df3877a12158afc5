package bandit

import (
	"errors"
	"reflect"
	"testing"

	"github.com/bbb-go/bbb/nodes"
)

// DefaultSettings parse to the experiment's defaults: the four agents of
// the paper, seed 1, one run.
func TestDefaultSettings(t *testing.T) {
	s := DefaultSettings()
	c, seeds, err := s.Parse()
	if err != nil || seeds != nil {
		t.Fatalf("Parse: %v, seeds %v", err, seeds)
	}
	want := Config{Seed: 1}.WithDefaults()
	want.Agents, _ = ParseAgents("bbb,greedy,eps1,eps5")
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	if s.Out != "bandit" || s.Format != "png" || s.Data != "" || s.Quiet {
		t.Errorf("files: %+v", s)
	}
}

// Parse reads each text setting and refuses the first bad one, in bbb
// bandit's order, as a *SettingError (Validate's own errors are plain).
func TestSettingsParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Settings)
		err  string // "" for a run
		ok   func(Config, []uint64, Settings) bool
	}{
		{"text settings", func(s *Settings) {
			s.AgentList, s.PriorSpec, s.KLData, s.RhoOptimizer, s.Seeds, s.Format = "bbb,eps1", "normal:0,0.5", "buffer", "sgd", "3, 1", "SVG"
		}, "", func(c Config, seeds []uint64, s Settings) bool {
			return len(c.Agents) == 2 && c.PriorKind == PriorNormal && c.Prior.Sigma == 0.5 && c.KLBuffer && c.RhoSGD &&
				reflect.DeepEqual(seeds, []uint64{3, 1}) && s.Format == "svg"
		}},
		{"agents first", func(s *Settings) { s.AgentList, s.PriorSpec, s.Steps = "bogus", "bogus", 0 },
			`bandit: agents "bogus": unknown agent "bogus" (want bbb, greedy or epsN with 0 < N < 100 written plainly, e.g. eps1, eps5, eps0.5, or bbb-greedy, bbb-epsN)`, nil},
		{"prior", func(s *Settings) { s.PriorSpec, s.KLData = "cauchy", "all" },
			`bandit: prior "cauchy": want normal, mixture, normal:MU,SIGMA or mixture:PI,SIGMA1,SIGMA2`, nil},
		{"likelihood", func(s *Settings) { s.LikSpec, s.KLData = "cauchy", "all" }, `bandit: likelihood "cauchy": want fixed, learned or hetero`, nil},
		{"kl-data", func(s *Settings) { s.KLData, s.Seeds = "all", "x" }, `bandit: kl-data "all": want buffer or seen`, nil},
		{"seeds", func(s *Settings) { s.Seeds, s.RhoOptimizer = "1,1", "x" }, `bandit: seeds "1,1": seed 1 listed twice`, nil},
		{"rho-opt", func(s *Settings) { s.RhoOptimizer, s.Steps = "rmsprop", 0 }, `bandit: rho-opt "rmsprop": want adam or sgd`, nil},
		{"numbers", func(s *Settings) { s.Steps, s.Format = 0, "bmp" }, "bandit: steps 0: need at least 1", nil},
		{"format", func(s *Settings) { s.Format = "BMP" }, `bandit: format "bmp": want png, svg or pdf`, nil},
		{"kl-data buffer that is all", func(s *Settings) { s.KLData, s.Steps, s.Buffer = "buffer", 300, 300 },
			"bandit: kl-data buffer: the same as seen while --steps 300 is at most --buffer 300 (the buffer holds every interaction)", nil},
		{"kl-data buffer of the last", func(s *Settings) { s.KLData, s.Steps, s.Buffer = "buffer", 301, 300 }, "", func(c Config, _ []uint64, _ Settings) bool {
			return c.KLBuffer
		}},
	} {
		s := DefaultSettings()
		tc.edit(&s)
		c, seeds, err := s.Parse()
		var se *SettingError
		switch {
		case tc.err == "" && (err != nil || !tc.ok(c, seeds, s)):
			t.Errorf("%s: %v, %+v, seeds %v", tc.name, err, c, seeds)
		case tc.err != "" && (!errors.As(err, &se) || err.Error() != tc.err):
			t.Errorf("%s: %v, want %s", tc.name, err, tc.err)
		}
	}
	s := DefaultSettings()
	s.Prior = nodes.Normal{Sigma: -1} // (not --prior's: SetPrior("mixture") keeps it; Validate refuses it)
	if _, _, err := s.Parse(); err == nil || errors.As(err, new(*SettingError)) {
		t.Errorf("a bad normal prior: %v, want Validate's error", err)
	}
}
