package bandit

import "math/rand/v2"

// The rewards of Blundell et al. (2015, §5.3).
const (
	RewardEdible    = 5   // eating an edible mushroom
	RewardLucky     = 5   // eating a poisonous one, with probability 1/2
	RewardPoisoned  = -35 // eating a poisonous one, otherwise
	RewardPass      = 0   // not eating
	PoisonedProb    = 0.5 // chance that a poisonous mushroom is RewardPoisoned
	expectedPoison  = PoisonedProb*RewardPoisoned + (1-PoisonedProb)*RewardLucky
	numActions      = 2
	actionPass, eat = 0, 1
)

// Reward is what eating (or passing) pays: edible 5; poisonous 5 if lucky,
// else -35; passing 0.
func Reward(edible, eats, lucky bool) float64 {
	switch {
	case !eats:
		return RewardPass
	case edible, lucky:
		return RewardEdible
	}
	return RewardPoisoned
}

// OracleEats is the oracle's action: it eats exactly the edible mushrooms.
func OracleEats(edible bool) bool { return edible }

// Regret is one step's regret: the oracle's reward minus the agent's, on
// the same mushroom and the same coin. A lucky poisonous meal pays the
// agent 5 and the oracle (which passes) 0, so one step's regret can be -5;
// the cumulative regret is the sum.
func Regret(edible, eats, lucky bool) float64 {
	return Reward(edible, OracleEats(edible), lucky) - Reward(edible, eats, lucky)
}

// Round is one step of the environment: which mushroom is shown and the
// coin a poisonous meal would use.
type Round struct {
	Mushroom int32
	Lucky    bool // eating it, if poisonous, pays RewardLucky
}

// Streams of the seeded PCG source (seed, stream).
const (
	streamRounds uint64 = iota + 101 // the environment: shared by every agent
	streamInit                       // the network's initial weights
	streamAgent                      // + 16*agent: the agent's own draws
)

// Env draws the rounds of one seed: mushrooms uniformly with replacement,
// each with its coin. Every agent of a run has an Env of the run's seed,
// so all meet the same mushrooms and coins.
type Env struct {
	rng       *rand.Rand
	mushrooms int
}

// NewEnv returns the environment of seed over mushrooms mushrooms.
func NewEnv(seed uint64, mushrooms int) *Env {
	return &Env{rng: rand.New(rand.NewPCG(seed, streamRounds)), mushrooms: mushrooms}
}

// Next draws the next round.
func (e *Env) Next() Round {
	return Round{Mushroom: int32(e.rng.IntN(e.mushrooms)), Lucky: e.rng.Float64() >= PoisonedProb}
}

// Rounds returns the first steps rounds of seed's Env.
func Rounds(seed uint64, steps, mushrooms int) []Round {
	e := NewEnv(seed, mushrooms)
	out := make([]Round, steps)
	for i := range out {
		out[i] = e.Next()
	}
	return out
}
