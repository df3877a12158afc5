package bandit

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/nodes"
)

// The settings a program takes as text (bbb bandit's --agents, --prior,
// --likelihood and --kl-data): each Set method parses one into c, and a value it
// cannot read is a *SettingError with the value quoted.

// SetAgents sets Agents from a comma-separated list (ParseAgents).
func (c *Config) SetAgents(s string) error {
	agents, err := ParseAgents(s)
	if err != nil {
		return &SettingError{"agents", strconv.Quote(s), strings.TrimPrefix(err.Error(), "bandit: ")}
	}
	c.Agents = agents
	return nil
}

// SetPrior sets the prior: mixture or normal with their default scales
// (ParsePrior), or a prior with its scales as nodes.ParsePrior spells it
// (mixture:PI,SIGMA1,SIGMA2, normal:MU,SIGMA), validated.
func (c *Config) SetPrior(s string) error {
	if !strings.Contains(s, ":") {
		kind, err := ParsePrior(s)
		if err != nil {
			return &SettingError{"prior", strconv.Quote(s), "want normal, mixture, normal:MU,SIGMA or mixture:PI,SIGMA1,SIGMA2"}
		}
		c.PriorKind = kind
		return nil
	}
	inScale := func(vs ...float64) bool {
		for _, v := range vs {
			if !(math.Abs(v) <= maxScale) {
				return false
			}
		}
		return true
	}
	mixtureWant := fmt.Sprintf("want mixture:PI,SIGMA1,SIGMA2 with 0 < PI < 1 and SIGMA1, SIGMA2 from %g to %g", minScale, maxScale)
	normalWant := fmt.Sprintf("want normal:MU,SIGMA with MU from -%g to %g and SIGMA from %g to %g", maxScale, maxScale, minScale, maxScale)
	p, err := nodes.ParsePrior(s)
	_, scales, _ := strings.Cut(s, ":")
	for _, v := range strings.Split(scales, ",") { // (decimal, as every number of a flag: no 0x1p-2)
		if _, e := settingflag.ParseFloat(strings.TrimSpace(v)); e != nil && !errors.Is(e, settingflag.ErrRange) && err == nil {
			err = e
		}
	}
	switch p, _ := p.(nodes.ScaleMixture); {
	case err == nil && inScale(p.Sigma1, p.Sigma2) && p.Sigma1 >= minScale && p.Sigma2 >= minScale:
		c.PriorKind, c.Mixture = PriorMixture, p
		return nil
	case strings.HasPrefix(s, "mixture:"):
		return &SettingError{"prior", strconv.Quote(s), mixtureWant}
	}
	switch p, _ := p.(nodes.Normal); {
	case err == nil && inScale(p.Mu, p.Sigma) && p.Sigma >= minScale:
		c.PriorKind, c.Prior = PriorNormal, p
		return nil
	case strings.HasPrefix(s, "normal:"):
		return &SettingError{"prior", strconv.Quote(s), normalWant}
	}
	return &SettingError{"prior", strconv.Quote(s), "want normal, mixture, normal:MU,SIGMA or mixture:PI,SIGMA1,SIGMA2"}
}

// SetLikelihood sets Likelihood: fixed, learned or hetero
// (graph.ParseLikelihood).
func (c *Config) SetLikelihood(s string) error {
	l, err := graph.ParseLikelihood(s)
	if err != nil {
		return &SettingError{"likelihood", strconv.Quote(s), "want fixed, learned or hetero"}
	}
	c.Likelihood = l
	return nil
}

// SetKLData sets KLBuffer: seen or buffer (ParseKLData).
func (c *Config) SetKLData(s string) error {
	buffer, err := ParseKLData(s)
	if err != nil {
		return &SettingError{"kl-data", strconv.Quote(s), "want buffer or seen"}
	}
	c.KLBuffer = buffer
	return nil
}
