package bandit

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestRewardAndRegret(t *testing.T) {
	// Hand-made mushrooms: every (edible, eats, lucky) case of §5.3.
	for _, c := range []struct {
		name                string
		edible, eats, lucky bool
		reward, regret      float64
	}{
		{"edible eaten", true, true, false, 5, 0},
		{"edible eaten (coin unused)", true, true, true, 5, 0},
		{"edible passed", true, false, false, 0, 5},
		{"poisonous passed", false, false, false, 0, 0},
		{"poisonous eaten, unlucky", false, true, false, -35, 35},
		{"poisonous eaten, lucky", false, true, true, 5, -5},
	} {
		if got := Reward(c.edible, c.eats, c.lucky); got != c.reward {
			t.Errorf("%s: reward %v, want %v", c.name, got, c.reward)
		}
		if got := Regret(c.edible, c.eats, c.lucky); got != c.regret {
			t.Errorf("%s: regret %v, want %v", c.name, got, c.regret)
		}
	}
	if !OracleEats(true) || OracleEats(false) {
		t.Error("the oracle eats exactly the edible mushrooms")
	}
	// Eating a poisonous mushroom costs 15 in expectation.
	if e := PoisonedProb*Regret(false, true, false) + (1-PoisonedProb)*Regret(false, true, true); e != 15 {
		t.Errorf("expected regret of a poisonous meal %v, want 15", e)
	}
}

func TestRoundsSeeded(t *testing.T) {
	a, b := Rounds(7, 20000, 8124), Rounds(7, 20000, 8124)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed drew different rounds")
	}
	if slices.Equal(a, Rounds(8, 20000, 8124)) {
		t.Fatal("seeds 7 and 8 drew the same rounds")
	}
	lucky := 0
	for _, r := range a {
		if r.Mushroom < 0 || r.Mushroom >= 8124 {
			t.Fatalf("mushroom %d out of range", r.Mushroom)
		}
		if r.Lucky {
			lucky++
		}
	}
	// Binomial(20000, 1/2): 5 standard deviations are 354.
	if d := math.Abs(float64(lucky) - 10000); d > 354 {
		t.Errorf("%d lucky coins of 20000", lucky)
	}
}

func TestParseAgents(t *testing.T) {
	got, err := ParseAgents("bbb,greedy,eps1,eps5, eps0.5,bbb-greedy,bbb-eps5")
	if err != nil {
		t.Fatal(err)
	}
	want := []Agent{{Name: "bbb", Thompson: true}, {Name: "greedy"}, {Name: "eps1", Epsilon: 0.01}, {Name: "eps5", Epsilon: 0.05},
		{Name: "eps0.5", Epsilon: 0.005}, {Name: "bbb-greedy", PosteriorMean: true}, {Name: "bbb-eps5", Epsilon: 0.05, PosteriorMean: true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{"", "bbb,", "thompson", "eps", "eps0", "eps100", "epsx", "bbb,bbb", "eps-1", "epsNaN",
		"bbb-", "bbb-bbb", "bbb-eps0", "bbb-eps100", "bbb-greedy,bbb-greedy", "greedy-bbb", "bbbgreedy",
		// one spelling per epsilon: eps1 listed under other names would be the same agent twice
		"eps01", "eps1.0", "eps1e0", "eps+5", "eps.5", "eps0x1p-3", "bbb-eps05"} {
		if _, err := ParseAgents(bad); err == nil {
			t.Errorf("ParseAgents(%q): no error", bad)
		}
	}
}

func ExampleRegret() {
	// A poisonous mushroom eaten: the unlucky coin costs 35 against the
	// oracle (which passes), the lucky one gains 5.
	fmt.Println(Regret(false, true, false), Regret(false, true, true))
	// An edible mushroom passed costs its 5.
	fmt.Println(Regret(true, false, false))
	// Output:
	// 35 -5
	// 5
}
