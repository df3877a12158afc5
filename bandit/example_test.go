package bandit_test

import (
	"context"
	"fmt"
	"os"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/data"
)

// Run a short bandit of the BBB agent against the greedy one, as
// `bbb bandit --agents bbb,greedy --steps 200` does, into a folder. The
// regrets differ with the seed; the files and counts do not.
func ExampleJob() {
	d, name, err := data.LoadMushrooms("") // the shipped UCI copy
	if err != nil {
		panic(err)
	}
	agents, err := bandit.ParseAgents("bbb,greedy")
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "bandit")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	c := bandit.Config{Agents: agents, Steps: 200, Hidden: 16, Seed: 1} // zero fields: the defaults
	if err := c.CheckSet(); err == nil {
		fmt.Println("CheckSet: every setting given explicitly")
	} else {
		fmt.Println("CheckSet:", err) // explicit zeros are refused; Run takes them as the defaults
	}
	s, err := bandit.Job{Config: c, Data: d, DataName: name, Format: "svg"}.Run(context.Background(), dir)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %d of %d steps, complete %v\n", s.Data, s.StepsDone, s.Steps, s.Complete)
	for _, a := range s.Agents {
		fmt.Println(a.Name, "-", a.Policy)
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		fmt.Println(f.Name())
	}
	// Output:
	// CheckSet: bandit: every 0: need at least 1
	// built-in UCI agaricus-lepiota.csv: 200 of 200 steps, complete true
	// bbb - thompson (one weight draw per step)
	// greedy - epsilon-greedy (deterministic twin: weights at their means, squared error, no KL)
	// regret.csv
	// regret.svg
	// summary.json
}
