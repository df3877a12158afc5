package bandit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/internal/atomicio"
	"github.com/bbb-go/bbb/train"
)

// WriteRegretCSV writes the cumulative regrets: a header "step" and one
// column per agent, then a row per recorded step.
func WriteRegretCSV(path string, r *Result) error {
	return atomicio.WriteFile(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString("step")
		for _, a := range r.Agents {
			bw.WriteString("," + a.Name)
		}
		bw.WriteString("\n")
		for k, s := range r.Steps {
			bw.WriteString(strconv.Itoa(s))
			for a := range r.Agents {
				bw.WriteString("," + strconv.FormatFloat(r.Regret[a][k], 'g', -1, 64))
			}
			bw.WriteString("\n")
		}
		return bw.Flush()
	})
}

// Summary is summary.json: the run's settings and each agent's outcome.
type Summary struct {
	Experiment string         `json:"experiment"` // "mushroom-bandit"
	Data       string         `json:"data"`
	Mushrooms  int            `json:"mushrooms"`
	Steps      int            `json:"steps"`      // asked for
	StepsDone  int            `json:"steps_done"` // less when interrupted or diverged
	Complete   bool           `json:"complete"`
	Diverged   *DivergedError `json:"diverged,omitempty"` // the agent and step where the run stopped
	Seed       uint64         `json:"seed"`
	Network    SummaryNetwork `json:"network"`
	Agents     []AgentSummary `json:"agents"`
	Seconds    float64        `json:"seconds"` // the whole run's wall time
	Threads    int            `json:"threads"` // GOMAXPROCS
	Build      *train.Build   `json:"build,omitempty"`
}

// SummaryNetwork is the model and its training settings.
type SummaryNetwork struct {
	Inputs       int     `json:"inputs"` // one-hot context and two action columns
	Hidden       int     `json:"hidden"`
	Depth        int     `json:"depth"`
	Buffer       int     `json:"buffer"`
	Batch        int     `json:"batch"`
	Updates      int     `json:"updates_per_step"`
	LearningRate float64 `json:"learning_rate"`
	RhoLR        float64 `json:"rho_learning_rate"` // the BBB network's rhos
	RhoOpt       string  `json:"rho_optimizer"`     // "adam" or "sgd"
	Prior        string  `json:"prior"`
	KLData       string  `json:"kl_data"`          // "buffer" or "seen": the n of the KL weight batch/n
	LikKind      string  `json:"likelihood"`       // "fixed", "learned" or "hetero" (the BBB network's)
	Likelihood   float64 `json:"likelihood_sigma"` // fixed, or where a learned scale starts
	InitRho      float64 `json:"init_rho"`
	InitStd      float64 `json:"init_std"`
	Resident     bool    `json:"resident,omitempty"` // the BBB agents' network is the resident graph (Config.Resident: the GPU's)
}

// AgentSummary is one agent's outcome after StepsDone steps.
type AgentSummary struct {
	Name         string  `json:"name"`
	Policy       string  `json:"policy"`
	Epsilon      float64 `json:"epsilon"`
	Regret       float64 `json:"final_regret"`
	PoisonEaten  int     `json:"poisonous_eaten"`
	EdiblePassed int     `json:"edible_passed"`
	Seconds      float64 `json:"seconds"`
	MeanSigma    float64 `json:"mean_sigma,omitempty"`               // the BBB network's, after the last step
	NoiseSigma   float64 `json:"learned_likelihood_sigma,omitempty"` // --likelihood learned: the scale after the last step
}

// NewSummary fills a Summary from the config and result.
func NewSummary(c Config, d *data.Mushrooms, dataName string, r *Result) Summary {
	c = c.WithDefaults()
	prior := c.PriorString()
	s := Summary{Experiment: "mushroom-bandit", Data: dataName, Mushrooms: d.Len(), Steps: c.Steps,
		StepsDone: r.Done, Complete: r.Done == c.Steps, Diverged: r.Diverged, Seed: c.Seed,
		Network: SummaryNetwork{Inputs: d.Width + numActions, Hidden: c.Hidden, Depth: c.Depth, Buffer: c.Buffer,
			Batch: c.Batch, Updates: c.Updates, KLData: map[bool]string{false: "seen", true: "buffer"}[c.KLBuffer], LearningRate: c.LR, RhoLR: c.RhoLR, RhoOpt: c.RhoOpt(), Prior: prior, LikKind: c.Likelihood.String(), Likelihood: c.Sigma,
			InitRho: c.InitRho, InitStd: c.InitStd, Resident: c.Resident}}
	for i, a := range r.Agents {
		s.Agents = append(s.Agents, AgentSummary{Name: a.Name, Policy: policy(a), Epsilon: a.Epsilon,
			Regret: r.Final(i), PoisonEaten: r.PoisonEaten[i], EdiblePassed: r.EdiblePassed[i], Seconds: r.Seconds[i], MeanSigma: r.MeanSigma[i], NoiseSigma: r.NoiseSigma[i]})
	}
	return s
}

// eta is the time left, to the second, when done of total steps took
// elapsed, at the same pace (every step costs the same: the buffer is full
// after its first 4096).
func eta(elapsed time.Duration, done, total int) time.Duration {
	if done <= 0 {
		return 0
	}
	left := float64(elapsed) * float64(total-done) / float64(done)
	if left >= math.MaxInt64 { // (past 292 years)
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(left).Round(time.Second)
}

// nameWidth is the width of a table's agent column: the longest name, at
// least 8.
func nameWidth[A any](agents []A, name func(A) string) int {
	w := 8
	for _, a := range agents {
		w = max(w, len(name(a)))
	}
	return w
}

// policy is how summary.json describes an agent's policy.
func policy(a Agent) string {
	if a.Thompson {
		return "thompson (one weight draw per step)"
	}
	if a.PosteriorMean {
		return "epsilon-greedy (the BBB network at its posterior means)"
	}
	return "epsilon-greedy (deterministic twin: weights at their means, squared error, no KL)"
}

// WriteSummary writes s (a Summary or a SeedsSummary) as indented JSON.
func WriteSummary[S Summary | SeedsSummary](path string, s S) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("bandit: summary: %w", err)
	}
	return atomicio.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}
