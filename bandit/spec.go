package bandit

import (
	"strconv"
	"strings"

	"github.com/bbb-go/bbb/nodes"
)

// The settings a program takes as text (bbb bandit's --agents, --prior
// and --kl-data): each Set method parses one into c, and a value it
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
	p, err := nodes.ParsePrior(s)
	if err != nil {
		return &SettingError{"prior", strconv.Quote(s), strings.TrimPrefix(err.Error(), "nodes: ")}
	}
	switch p := p.(type) {
	case nodes.ScaleMixture:
		c.PriorKind, c.Mixture = PriorMixture, p
	case nodes.Normal:
		c.PriorKind, c.Prior = PriorNormal, p
	}
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
