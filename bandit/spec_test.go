package bandit

import (
	"errors"
	"testing"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

func TestConfigSet(t *testing.T) {
	for _, c := range []struct {
		set   func(*Config, string) error
		in    string
		check func(Config) bool // the setting parsed
		err   string            // the error, or ""
	}{
		{(*Config).SetAgents, "bbb, eps5", func(c Config) bool { return len(c.Agents) == 2 && c.Agents[0].Thompson }, ""},
		{(*Config).SetAgents, "bbb,bbb", nil, `bandit: agents "bbb,bbb": agent "bbb" listed twice`},
		{(*Config).SetPrior, "normal", func(c Config) bool { return c.PriorKind == PriorNormal }, ""},
		{(*Config).SetPrior, "normal:0,2", func(c Config) bool { return c.PriorKind == PriorNormal && c.Prior == nodes.Normal{Mu: 0, Sigma: 2} }, ""},
		{(*Config).SetPrior, "mixture:0.25,1,0.5", func(c Config) bool {
			return c.PriorKind == PriorMixture && c.Mixture == nodes.ScaleMixture{Pi: 0.25, Sigma1: 1, Sigma2: 0.5}
		}, ""},
		{(*Config).SetPrior, "cauchy", nil, `bandit: prior "cauchy": want normal, mixture, normal:MU,SIGMA or mixture:PI,SIGMA1,SIGMA2`},
		{(*Config).SetPrior, "normal:1", nil, `bandit: prior "normal:1": want normal:MU,SIGMA with MU from -1e+06 to 1e+06 and SIGMA from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "normal:1e308,1", nil, `bandit: prior "normal:1e308,1": want normal:MU,SIGMA with MU from -1e+06 to 1e+06 and SIGMA from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "normal:0,1e-7", nil, `bandit: prior "normal:0,1e-7": want normal:MU,SIGMA with MU from -1e+06 to 1e+06 and SIGMA from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "mixture:", nil, `bandit: prior "mixture:": want mixture:PI,SIGMA1,SIGMA2 with 0 < PI < 1 and SIGMA1, SIGMA2 from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "normal:0x0p0,0x1p0", nil, `bandit: prior "normal:0x0p0,0x1p0": want normal:MU,SIGMA with MU from -1e+06 to 1e+06 and SIGMA from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "mixture:0.5,1_0,0.1", nil, `bandit: prior "mixture:0.5,1_0,0.1": want mixture:PI,SIGMA1,SIGMA2 with 0 < PI < 1 and SIGMA1, SIGMA2 from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "normal:00, 01", func(c Config) bool { return c.PriorKind == PriorNormal && c.Prior == nodes.Normal{Mu: 0, Sigma: 1} }, ""},
		{(*Config).SetPrior, "mixture:1,1,0.5", nil, `bandit: prior "mixture:1,1,0.5": want mixture:PI,SIGMA1,SIGMA2 with 0 < PI < 1 and SIGMA1, SIGMA2 from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "mixture:0.5,2e6,0.5", nil, `bandit: prior "mixture:0.5,2e6,0.5": want mixture:PI,SIGMA1,SIGMA2 with 0 < PI < 1 and SIGMA1, SIGMA2 from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "mixture:0.5,1,1e-7", nil, `bandit: prior "mixture:0.5,1,1e-7": want mixture:PI,SIGMA1,SIGMA2 with 0 < PI < 1 and SIGMA1, SIGMA2 from 1e-06 to 1e+06`},
		{(*Config).SetPrior, "normal:-1e6,1e6", func(c Config) bool { return c.Prior == nodes.Normal{Mu: -1e6, Sigma: 1e6} }, ""},
		{(*Config).SetPrior, "mixture:0.5,1e-6,1e6", func(c Config) bool { return c.Mixture == nodes.ScaleMixture{Pi: 0.5, Sigma1: 1e-6, Sigma2: 1e6} }, ""},
		{(*Config).SetLikelihood, "hetero", func(c Config) bool { return c.Likelihood == graph.LikHetero{} }, ""},
		{(*Config).SetLikelihood, "learned", func(c Config) bool { return c.Likelihood == graph.LikLearned{} }, ""},
		{(*Config).SetLikelihood, "student", nil, `bandit: likelihood "student": want fixed, learned or hetero`},
		{(*Config).SetKLData, "buffer", func(c Config) bool { return c.KLBuffer }, ""},
		{(*Config).SetKLData, "all", nil, `bandit: kl-data "all": want buffer or seen`},
	} {
		var cfg Config
		err := c.set(&cfg, c.in)
		var se *SettingError
		switch {
		case c.err == "" && (err != nil || !c.check(cfg)):
			t.Errorf("%q: %v, %+v", c.in, err, cfg)
		case c.err != "" && (!errors.As(err, &se) || err.Error() != c.err):
			t.Errorf("%q: %v, want %s", c.in, err, c.err)
		}
	}
}

// SetPrior (bbb bandit's --prior) takes a prior with its scales, as summary.json spells it.
func TestBanditPriorSpec(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		kind PriorKind
		want string
	}{
		{"mixture", PriorMixture, PaperMixture.String()},
		{"normal", PriorNormal, DefaultPrior.String()},
		{"mixture:0.5,0.25,0.001", PriorMixture, "mixture:0.5,0.25,0.001"},
		{"normal:0,0.1", PriorNormal, "normal:0,0.1"},
	} {
		var c Config
		if err := c.SetPrior(tc.arg); err != nil {
			t.Fatalf("%s: %v", tc.arg, err)
		}
		if c.PriorKind != tc.kind || c.WithDefaults().PriorString() != tc.want {
			t.Errorf("%s: kind %d, prior %s; want %d, %s", tc.arg, c.PriorKind, c.WithDefaults().PriorString(), tc.kind, tc.want)
		}
	}
}
