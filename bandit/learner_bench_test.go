package bandit

import (
	"context"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/data"
)

// BenchmarkUpdate is one minibatch update (Config.Updates counts them per
// step) of the paper's network at the defaults: the BBB network's (a
// weight draw, its ELBO's gradient, Adam on the means and the rhos) and
// the deterministic twin's, and the BBB network's on the resident graph
// (bbb-resident: Config.Resident, here its ops' Go code on the CPU; on
// the GPU in the CUDA build). The paper's 64 updates a step cost 64 of
// these; ns/op times 50,000·Updates is a run's training time.
func BenchmarkUpdate(b *testing.B) {
	for _, name := range []string{"bbb", "greedy", "bbb-resident"} {
		b.Run(name, func(b *testing.B) {
			l := benchLearner(b, name)
			b.ResetTimer()
			for i := range b.N {
				if err := l.learn(context.Background(), int32(i%l.data.Len()), true, RewardEdible); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChoose is one action: the BBB network's Thompson draw (every
// weight drawn once) or the twin's forward pass, for both actions.
func BenchmarkChoose(b *testing.B) {
	for _, name := range []string{"bbb", "greedy"} {
		b.Run(name, func(b *testing.B) {
			l := benchLearner(b, name)
			b.ResetTimer()
			for i := range b.N {
				l.choose(int32(i % l.data.Len()))
			}
		})
	}
}

// benchLearner is agent name's learner at the defaults, its buffer full.
func benchLearner(b *testing.B, name string) *learner {
	b.Helper()
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		b.Fatal(err)
	}
	resident := strings.HasSuffix(name, "-resident")
	as, err := ParseAgents(strings.TrimSuffix(name, "-resident"))
	if err != nil {
		b.Fatal(err)
	}
	a := as[0]
	c := Config{Agents: as, Seed: 1, Resident: resident}.WithDefaults()
	l, err := newLearner(c, d, a, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(l.close)
	env := NewEnv(1, d.Len())
	for range c.Buffer {
		r := env.Next()
		l.buf.push(r.Mushroom, eat, float32(Reward(d.Edible[r.Mushroom], true, r.Lucky)))
		l.seen++
	}
	return l
}
