package main

import (
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/sweep"
)

// A flag the user sets is refused, before any work, in a combination where
// it would have no effect: `--prior-pi 0.3` with the normal prior, `--points
// 500` with --data. flagDeps lists every flag of every command with the
// conditions under which it has an effect; checkFlagDeps applies it once
// the command's flags are final (after --preset and --resume), naming the
// flag and the flag that makes it ineffective in one line. A flag without
// an entry fails TestFlagDepsCoverEveryFlag.

// effect is one condition a flag needs to have an effect.
type effect struct {
	on  string                        // the flag that decides ("": the command itself)
	has func(v string, set bool) bool // whether the flag has an effect, given on's value and whether the user set on
	why string                        // a short reason, in parentheses ("": none)
}

// flagTable maps each flag of a command to the conditions under which it
// has an effect; all must hold (nil: the flag always has an effect).
type flagTable map[string][]effect

// when: an effect only while on's value is one of vals.
func when(on, why string, vals ...string) effect {
	return effect{on: on, why: why, has: func(v string, _ bool) bool { return slices.Contains(vals, v) }}
}

// unless: no effect while on's value is val.
func unless(on, val, why string) effect {
	return effect{on: on, why: why, has: func(v string, _ bool) bool { return v != val }}
}

// unlessSet: no effect once the user sets on.
func unlessSet(on, why string) effect {
	return effect{on: on, why: why, has: func(_ string, set bool) bool { return !set }}
}

// never: no effect in this command at all.
func never(why string) effect {
	return effect{why: why, has: func(string, bool) bool { return false }}
}

// modelDeps are the flags of modelFlags (train, bench, dot).
func modelDeps() flagTable {
	return flagTable{
		"layers": nil, "hidden": nil, "points": nil, "workers": nil, "threads": nil,
		"lr": nil, "lr-milestones": nil, "n-batch": nil, "likelihood-sigma": nil,
		"dtype": nil, "device": nil, "seed": nil, "stock-ops": nil,
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

// with returns t with the conditions in more added (after t's own: a
// command's mode is named first, then the finer conditions).
func (t flagTable) with(more flagTable) flagTable {
	out := maps.Clone(t)
	for k, v := range more {
		out[k] = append(slices.Clone(v), out[k]...)
	}
	return out
}

// The flags of train --preset mnist alone, and those it has no use for.
var (
	notMNIST  = unless("preset", "mnist", "a classifier of the MNIST images")
	onlyMNIST = when("preset", "only --preset mnist reads MNIST", "mnist")
	needsData = unless("data", "", "it describes --data")
)

func trainDeps() flagTable {
	t := modelDeps().with(flagTable{
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
	return t.with(mode)
}

var needsNoData = effect{on: "data", why: "the rows come from --data", has: func(v string, _ bool) bool { return v == "" }}

func benchDeps() flagTable {
	return modelDeps().with(flagTable{
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
	return t.with(flagTable{"out": nil, "o": nil, "rows": nil, "grad": nil, "max-memory": nil})
}

// banditHasBBB: the prior, its KL and the initial sigma belong to the BBB
// (Thompson) agent; the epsilon-greedy agents train the means alone.
var banditHasBBB = effect{on: "agents", why: "only the bbb agent samples weights", has: func(v string, _ bool) bool {
	for _, a := range strings.Split(v, ",") {
		if strings.TrimSpace(a) == "bbb" {
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
	"bandit": {"steps": nil, "agents": nil, "out": nil, "seed": nil, "data": nil, "every": nil, "hidden": nil,
		"depth": nil, "buffer": nil, "batch": nil, "updates": nil, "lr": nil, "likelihood-sigma": nil,
		"init-std": nil, "format": nil, "q": nil,
		"prior": {banditHasBBB}, "kl-data": {banditHasBBB}, "init-rho": {banditHasBBB}},
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
	table := flagDeps[fs.Name()]
	var err error
	fs.VisitAll(func(f *flag.Flag) { // (in name order: one message run after run)
		if err != nil || !explicit[f.Name] {
			return
		}
		for _, e := range table[f.Name] {
			var v string
			if e.on != "" {
				v = fs.Lookup(e.on).Value.String()
			}
			if !e.has(v, explicit[e.on]) {
				err = usagef("%s: has no effect %s%s", flagText(f, f.Value.String()), e.context(fs, v), reason(e.why))
				return
			}
		}
	})
	return err
}

// context says what makes the flag ineffective: "with --prior normal",
// "without --data", "with --no-figures", "in bbb bench".
func (e effect) context(fs *flag.FlagSet, v string) string {
	if e.on == "" {
		return "in bbb " + fs.Name()
	}
	f := fs.Lookup(e.on)
	if v == "" || (isBoolFlag(f) && v == "false") {
		return "without --" + e.on
	}
	return "with " + flagText(f, v)
}

func flagText(f *flag.Flag, v string) string {
	if isBoolFlag(f) && v == "true" {
		return "--" + f.Name
	}
	return "--" + f.Name + " " + v
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func reason(why string) string {
	if why == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", why)
}
