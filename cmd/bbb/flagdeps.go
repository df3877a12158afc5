package main

import (
	"flag"
	"io"
	"strings"

	"github.com/bbb-go/bbb/bandit"
	"github.com/bbb-go/bbb/internal/flagrule"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/sweep"
)

// A flag the user sets is refused, before any work, in a combination where
// it would have no effect: `--prior-pi 0.3` with the normal prior, `--points
// 500` with --data. flagDeps lists every flag of every command with the
// conditions under which it has an effect: a settings type's flags in its
// fields' effect tags (`effect:"prior=mixture: a mixture prior's weight"`,
// flagrule.Parse), the others here; checkFlagDeps applies it once the
// command's flags are final (after --preset and --resume), naming the flag
// and the flag that makes it ineffective in one line. A flag without an
// entry fails TestFlagDepsCoverEveryFlag.

type (
	effect    = flagrule.Effect
	flagTable = flagrule.Table
)

var when, unless, never = flagrule.When, flagrule.Unless, flagrule.Never

// tagged is the table of the settings types' flags, their conditions as
// their effect tags spell them (flagrule.Parse).
func tagged(settings ...any) flagTable {
	return flagrule.FromTags(settingflag.Tags("effect", settings...))
}

// modelDeps are the flags of modelFlags (train, bench, dot).
func modelDeps() flagTable {
	return tagged(&job.ModelSettings{}).With(flagTable{"device": nil,
		"tf32": {when("stock-ops", "the stock-op graph's products are Gorgonia's alone", "false"),
			when("dtype", "TF32 rounds float32 inputs; float64 products stay float64", "float32")}})
}

// The flags of train --preset mnist alone, and those it has no use for.
var (
	notMNIST  = unless("preset", "mnist", "a classifier of the MNIST images")
	onlyMNIST = when("preset", "only --preset mnist reads MNIST", "mnist")
)

func trainDeps() flagTable {
	t := modelDeps().With(tagged(&job.RunSettings{}, &job.OutputSettings{}, &job.StartSettings{}, &job.DataSettings{}, &job.MNISTSettings{}, &job.MNISTTraining{})).With(flagTable{
		"points": {needsNoData}, "max-memory": nil,
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
	return modelDeps().With(tagged(&job.BenchSettings{})).With(flagTable{
		"lr-milestones": {never("bench times steps, and a learning-rate schedule changes no step's time")},
		"points":        {when("points-list", "--points-list gives the sizes", "")},
		"layers":        {when("layers-list", "--layers-list gives the sizes", "")},
		"max-memory":    nil,
	})
}

func dotDeps() flagTable {
	t := modelDeps()
	for n := range dotUnused {
		delete(t, n)
	}
	t = t.With(flagTable{"out": nil, "o": nil, "rows": nil, "grad": nil, "max-memory": nil})
	t["dtype"] = append(t["dtype"], when("grad", "the graph's own drawing names its types; the default one does not", "true"))
	return t
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

// banditTwinLoss: the reward likelihood's scale is the BBB network's; the
// twins fit the squared error.
var banditTwinLoss = effect{On: "agents", Why: "the twins of greedy and epsN fit the squared error", Has: banditHasBBB.Has}

// flagDeps is every command's table, by its FlagSet's name: the tags of
// its settings types, and the conditions of its other flags.
var flagDeps = map[string]flagTable{
	"train":   trainDeps(),
	"bench":   benchDeps(),
	"dot":     dotDeps(),
	"predict": tagged(&job.PredictSettings{}).With(flagTable{"max-memory": nil}),
	"prune":   tagged(&job.PruneSettings{}, &job.MNISTSettings{}),
	"bandit": tagged(&bandit.Settings{}).With(flagTable{"max-memory": nil, "device": nil, "prior": {banditHasBBB}, "kl-data": {banditHasBBB},
		"likelihood": {banditHasBBB}, "likelihood-sigma": {banditTwinLoss}, "init-rho": {banditHasBBB}, "rho-lr": {banditHasBBB}, "rho-opt": {banditHasBBB}}),
	"version": {"json": nil},
	"sweep":   tagged(&sweep.Settings{}, &sweep.SlurmOptions{}),
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
