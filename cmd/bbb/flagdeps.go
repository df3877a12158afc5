package main

import (
	"flag"
	"io"
	"strings"

	"github.com/bbb-go/bbb/internal/flagrule"
	"github.com/bbb-go/bbb/sweep"
)

// A flag the user sets is refused, before any work, in a combination where
// it would have no effect: `--prior-pi 0.3` with the normal prior, `--points
// 500` with --data. flagDeps lists every flag of every command with the
// conditions under which it has an effect; checkFlagDeps applies it once
// the command's flags are final (after --preset and --resume), naming the
// flag and the flag that makes it ineffective in one line. A flag without
// an entry fails TestFlagDepsCoverEveryFlag.

type (
	effect    = flagrule.Effect
	flagTable = flagrule.Table
)

var when, unless, unlessSet, never = flagrule.When, flagrule.Unless, flagrule.UnlessSet, flagrule.Never

// modelDeps are the flags of modelFlags (train, bench, dot).
func modelDeps() flagTable {
	return flagTable{
		"layers": nil, "hidden": nil, "points": nil, "workers": nil, "threads": nil,
		"lr": nil, "lr-milestones": nil, "n-batch": nil, "likelihood-sigma": nil,
		"dtype": nil, "device": nil, "seed": nil, "stock-ops": nil,
		"tf32": {when("stock-ops", "the stock-op graph's products are Gorgonia's alone", "false"),
			when("dtype", "TF32 rounds float32 inputs; float64 products stay float64", "float32")},
		"prior": nil, "kl": nil, "likelihood": nil, "batch-size": nil, "local-reparam": nil, "mc-samples": nil,
		"lr-gamma":     {unless("lr-milestones", "", "the rate is constant")},
		"prior-sigma":  {when("prior", "the mixture has --prior-sigma1 and --prior-sigma2", "normal")},
		"prior-pi":     {when("prior", "a mixture prior's weight", "mixture")},
		"prior-sigma1": {when("prior", "a mixture prior's scale", "mixture")},
		"prior-sigma2": {when("prior", "a mixture prior's scale", "mixture")},
		"min-sigma":    {when("likelihood", "the floor of --likelihood hetero's scale", "hetero")},
		"kl-weight":    {unless("batch-size", "0", "one full batch per epoch: its KL weight is 1")},
	}
}

// The flags of train --preset mnist alone, and those it has no use for.
var (
	notMNIST  = unless("preset", "mnist", "a classifier of the MNIST images")
	onlyMNIST = when("preset", "only --preset mnist reads MNIST", "mnist")
	needsData = unless("data", "", "it describes --data")
)

func trainDeps() flagTable {
	t := modelDeps().With(flagTable{
		"points": {needsNoData},
		"val":    {needsData}, "x-cols": {needsData}, "y-col": {needsData},
		"val-split":        {needsData, when("val", "--val is the validation set", "")},
		"prune":            {unless("from", "", "it prunes the --from model")},
		"checkpoint-every": {unless("save", "", "it writes --save")},
		"format":           {when("no-figures", "no figure is written", "false")},
		"preset":           nil, "epochs": nil, "samples": nil, "report-every": nil, "out": nil,
		"cpuprofile": nil, "q": nil, "no-figures": nil, "no-train-band": nil, "data": nil, "save": nil, "resume": nil,
		"mnist-dir": nil, "mnist-train": nil, "mnist-val": nil, "mnist-test": nil, "val-samples": nil, "from": nil,
		"max-memory": nil,
	})
	mode := flagTable{}
	for _, n := range regressionOnly {
		mode[n] = []effect{notMNIST}
	}
	for _, n := range mnistOnly {
		mode[n] = []effect{onlyMNIST}
	}
	return t.With(mode)
}

var needsNoData = effect{On: "data", Why: "the rows come from --data", Has: func(v string, _ bool) bool { return v == "" }}

func benchDeps() flagTable {
	return modelDeps().With(flagTable{
		"lr-milestones": {never("bench times steps, and a learning-rate schedule changes no step's time")},
		"points":        {when("points-list", "--points-list gives the sizes", "")},
		"layers":        {when("layers-list", "--layers-list gives the sizes", "")},
		"hidden-sizes":  {unlessSet("hidden", "--hidden is the one width timed")},
		"points-list":   nil, "layers-list": nil, "epochs": nil, "seconds": nil, "warmup": nil, "samples": nil,
		"compare": nil, "out": nil, "format": nil, "q": nil, "max-memory": nil,
	})
}

func dotDeps() flagTable {
	t := modelDeps()
	for n := range dotUnused {
		delete(t, n)
	}
	return t.With(flagTable{"out": nil, "o": nil, "rows": nil, "grad": nil, "max-memory": nil})
}

// banditHasBBB: the prior, its KL and the initial sigma belong to the
// agents that train the BBB network (bbb, bbb-greedy, bbb-epsN); the
// epsilon-greedy agents of the twin train the means alone.
var banditHasBBB = effect{On: "agents", Why: "only the bbb agents train a weight posterior", Has: func(v string, _ bool) bool {
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a == "bbb" || strings.HasPrefix(a, "bbb-") {
			return true
		}
	}
	return false
}}

// flagDeps is every command's table, by its FlagSet's name.
var flagDeps = map[string]flagTable{
	"train": trainDeps(),
	"bench": benchDeps(),
	"dot":   dotDeps(),
	"predict": {"model": nil, "data": nil, "out": nil, "samples": nil, "quantiles": nil, "workers": nil,
		"seed": nil, "q": nil, "max-memory": nil},
	"prune": {"model": nil, "fractions": nil, "out": nil, "format": nil, "samples": nil, "seed": nil, "q": nil,
		"mnist-dir": nil, "mnist-test": nil},
	"bandit": {"steps": nil, "agents": nil, "out": nil, "seeds": nil, "seed": {unlessSet("seeds", "--seeds gives the seeds")}, "data": nil, "every": nil, "hidden": nil,
		"depth": nil, "buffer": nil, "batch": nil, "updates": nil, "lr": nil, "likelihood-sigma": nil,
		"init-std": nil, "format": nil, "q": nil,
		"prior": {banditHasBBB}, "kl-data": {banditHasBBB}, "init-rho": {banditHasBBB},
		"rho-lr": {banditHasBBB}, "rho-opt": {banditHasBBB}},
	"version": {"json": nil},
	"sweep":   sweepDeps(),
}

// sweepDeps: --collect reads a finished sweep (it runs nothing), and the
// sbatch flags belong to --on slurm.
func sweepDeps() flagTable {
	collecting := unlessSet("collect", "it only reads the sweep's folder")
	onSlurm := when("on", "only Slurm takes it", "slurm")
	t := flagTable{
		"collect": nil, "task": nil, "metric": nil, "maximize": nil, "x": nil, "by": nil, "format": nil,
		"grid": {collecting}, "out": {collecting}, "on": {collecting}, "seeds": {collecting},
		"jobs":   {collecting, when("on", "Slurm runs each point as an array task", "local")},
		"detach": {collecting, onSlurm}, "poll": {collecting, onSlurm},
	}
	for _, k := range sweep.SlurmKeys {
		t[k] = []effect{collecting, onSlurm}
	}
	return t
}

// checkFlagDeps refuses the first flag the user set (explicit, before any
// preset filled the others) that has no effect with fs's final values.
func checkFlagDeps(fs *flag.FlagSet, explicit map[string]bool) error {
	if err := flagDeps[fs.Name()].Check(fs, explicit); err != nil {
		return usagef("%v", err)
	}
	return nil
}

// parseChecked is parseFlags, then checkFlagDeps with the flags the user set.
func parseChecked(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	return checkFlagDeps(fs, explicitFlags(fs))
}
