package modelfile

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// bbb train's flags are the vocabulary of version 1 and 2 files (their
// meta's "flags": name → value as the flag prints it). FromFlags and
// Model.Flags translate between them and a Model; bbb uses them to
// restore a model's settings as flags (train --resume, predict, prune).

// bind returns a flag set whose flags, named as bbb train's, set m's
// fields; registering sets them to the flags' defaults (the seed's).
func bind(m *Model) *flag.FlagSet {
	fs := flag.NewFlagSet("model", flag.ContinueOnError)
	d := Model{}.WithDefaults()
	n, o, dt := &m.Network, &m.Optimiser, &m.Data
	fs.IntVar(&n.Layers, "layers", d.Network.Layers, "")
	fs.IntVar(&n.Hidden, "hidden", d.Network.Hidden, "")
	fs.Float64Var(&n.NBatch, "n-batch", d.Network.NBatch, "")
	fs.Float64Var(&n.Prior.Sigma, "prior-sigma", d.Network.Prior.Sigma, "")
	fs.Float64Var(&n.LikelihoodSigma, "likelihood-sigma", d.Network.LikelihoodSigma, "")
	fs.StringVar(&n.Dtype, "dtype", d.Network.Dtype, "")
	fs.BoolVar(&n.StockOps, "stock-ops", false, "")
	fs.StringVar(&n.Prior.Kind, "prior", d.Network.Prior.Kind, "")
	fs.Float64Var(&n.Prior.Pi, "prior-pi", d.Network.Prior.Pi, "")
	fs.Float64Var(&n.Prior.Sigma1, "prior-sigma1", d.Network.Prior.Sigma1, "")
	fs.Float64Var(&n.Prior.Sigma2, "prior-sigma2", d.Network.Prior.Sigma2, "")
	fs.StringVar(&n.KL, "kl", d.Network.KL, "")
	fs.StringVar(&n.Likelihood, "likelihood", d.Network.Likelihood, "")
	fs.Float64Var(&n.MinSigma, "min-sigma", d.Network.MinSigma, "")
	fs.BoolVar(&n.LocalReparam, "local-reparam", false, "")
	fs.Float64Var(&o.LearningRate, "lr", d.Optimiser.LearningRate, "")
	fs.Var((*intList)(&o.Milestones), "lr-milestones", "")
	fs.Float64Var(&o.Gamma, "lr-gamma", d.Optimiser.Gamma, "")
	fs.IntVar(&o.BatchSize, "batch-size", 0, "")
	fs.StringVar(&o.KLWeight, "kl-weight", d.Optimiser.KLWeight, "")
	fs.IntVar(&o.MCSamples, "mc-samples", d.Optimiser.MCSamples, "")
	fs.IntVar(&dt.Points, "points", d.Data.Points, "")
	fs.StringVar(&dt.File, "data", "", "")
	fs.StringVar(&dt.Val, "val", "", "")
	fs.Float64Var(&dt.ValSplit, "val-split", d.Data.ValSplit, "")
	fs.Var((*stringList)(&dt.XCols), "x-cols", "")
	fs.StringVar(&dt.YCol, "y-col", "", "")
	fs.Uint64Var(&m.Seed, "seed", 1, "")
	fs.StringVar(&m.Preset, "preset", "", "")
	return fs
}

// FromFlags returns the Model that bbb train's flags describe (a version
// 1 or 2 file's "flags"): the seed's settings, then each flag given, set
// in name order; a value the flag cannot take is an error naming it.
// Names it does not know are ignored.
func FromFlags(flags map[string]string) (Model, error) {
	var m Model
	fs := bind(&m)
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := flags[f.Name]; ok && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("flag --%s %q: %v", f.Name, v, e)
			}
		}
	})
	return m, err
}

// Flags returns m's settings as bbb train's flags would print them (its
// defaults filled in): the inverse of FromFlags. An empty Preset is left
// out.
func (m Model) Flags() map[string]string {
	var b Model
	fs := bind(&b)
	b = m.WithDefaults()
	out := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { out[f.Name] = f.Value.String() })
	if m.Preset == "" {
		delete(out, "preset")
	}
	return out
}

// intList is a comma-separated list of integers (--lr-milestones).
type intList []int

func (l *intList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (l *intList) Set(s string) error {
	*l = nil
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%q is not an epoch", f)
		}
		*l = append(*l, v)
	}
	return nil
}

// stringList is a comma-separated list of names (--x-cols).
type stringList []string

func (l *stringList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *stringList) Set(s string) error {
	*l = nil
	if s == "" {
		return nil
	}
	for _, f := range strings.Split(s, ",") {
		*l = append(*l, strings.TrimSpace(f))
	}
	return nil
}
