package bandit

import (
	"fmt"
	"strconv"
	"strings"
)

// Agent is one policy of the experiment.
type Agent struct {
	Name string
	// Thompson: act by Thompson sampling, one weight draw from the BBB
	// posterior per step. Otherwise the agent is epsilon-greedy on the
	// deterministic twin (Config's doc).
	Thompson bool
	// Epsilon is the epsilon-greedy agent's probability of a uniformly
	// random action (0: greedy).
	Epsilon float64
	// PosteriorMean: the epsilon-greedy agent trains the BBB network (as
	// the Thompson agent does) and acts at its posterior means, instead
	// of training the deterministic twin.
	PosteriorMean bool
}

// variational reports an agent that trains the BBB network.
func (a Agent) variational() bool { return a.Thompson || a.PosteriorMean }

// ParseAgents reads a comma-separated list: bbb (Thompson sampling),
// greedy, or epsN (epsilon-greedy exploring with probability N %, 0 < N <
// 100: eps1, eps5, eps0.5) on the deterministic twin, or bbb-greedy and
// bbb-epsN, the same policies at the BBB network's posterior means
// (PosteriorMean). Names may not repeat.
func ParseAgents(s string) ([]Agent, error) {
	var out []Agent
	seen := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		a, err := parseAgent(name)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("bandit: agent %q listed twice", name)
		}
		seen[name] = true
		out = append(out, a)
	}
	return out, nil
}

func parseAgent(name string) (Agent, error) {
	switch name {
	case "bbb":
		return Agent{Name: name, Thompson: true}, nil
	case "greedy":
		return Agent{Name: name}, nil
	}
	policy, mean := strings.CutPrefix(name, "bbb-")
	if policy == "greedy" && mean {
		return Agent{Name: name, PosteriorMean: true}, nil
	}
	if pct, ok := strings.CutPrefix(policy, "eps"); ok {
		p, err := strconv.ParseFloat(pct, 64)
		// One spelling per epsilon (eps1, not eps01 or eps1.0): a name
		// names one agent, and repeats are found by name.
		if err == nil && p > 0 && p < 100 && pct == strconv.FormatFloat(p, 'g', -1, 64) {
			return Agent{Name: name, Epsilon: p / 100, PosteriorMean: mean}, nil
		}
	}
	return Agent{}, fmt.Errorf("bandit: unknown agent %q (want bbb, greedy or epsN with 0 < N < 100 written plainly, e.g. eps1, eps5, eps0.5, or bbb-greedy, bbb-epsN)", name)
}
