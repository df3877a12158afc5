package main

// examples are the commands `bbb SUB -h` ends with, one per subcommand:
// real commands whose flags exist (TestHelpExamples), each a first thing
// to try.
var examples = map[string]string{
	"train":   "bbb train --seed 1 --save model.npz --out out",
	"bench":   "bbb bench --hidden-sizes 20,128 --seconds 1 --out out/bench",
	"predict": "bbb predict --model model.npz --data x.csv --out pred.csv",
	"prune":   "bbb prune --model mnist400.npz --fractions 0.5,0.95 --out out-prune",
	"bandit":  "bbb bandit --steps 2000 --agents bbb,greedy,eps5 --seed 1 --out out/bandit",
	"dot":     "bbb dot --layers 2 --hidden 3 --rows 4 --out graph.dot",
	"version": "bbb version --json",
	"sweep":   "bbb sweep --grid sweeps/seed.grid --out sweep-seed --jobs 2",
}
