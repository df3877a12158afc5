package main

import (
	"errors"
	"flag"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/rundir"
)

// modelIO is train's --resume.
type modelIO struct {
	resume string
	ckpt   *modelfile.File // read --resume
}

func (m *modelIO) register(fs *flag.FlagSet) {
	fs.StringVar(&m.resume, "resume", "", "continue the run saved in this .npz file up to --epochs (its model, data and seed flags are used)")
}

// runFlagNames are the flags that shape a run's parameters: the model's
// (modelFlags) and the data's (dataFlags), less those that only say how it
// runs. A model file records them (modelfile.Model, by these names:
// modelfile.FromFlags); --resume and predict restore them.
func runFlagNames() []string {
	_, fs := runFlagSet("names")
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		switch f.Name {
		case "workers", "threads", "device", "tf32":
		default:
			names = append(names, f.Name)
		}
	})
	return names
}

// runFlagSet is a flag set named name of the run flags, and the model
// flags it sets.
func runFlagSet(name string) (*modelFlags, *flag.FlagSet) {
	var m modelFlags
	var d dataFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	m.register(fs)
	d.register(fs)
	return &m, fs
}

// restoreModel returns the model flags of the file c (predict's and
// prune's --model path), as train --resume restores them, with set
// applied (the command's own workers and threads) and checked.
func restoreModel(c *modelfile.File, path string, set func(*modelFlags)) (*modelFlags, error) {
	m, fs := runFlagSet("model")
	if err := applyFlags(fs, c, nil, path); err != nil {
		return nil, err
	}
	set(m)
	if err := m.check(); err != nil {
		return nil, usagef("--model %s: %v", path, err)
	}
	return m, nil
}

// buildModel builds the network cfg of the file c (--model path) with
// its parameters.
func buildModel(c *modelfile.File, path string, cfg graph.Config) (*graph.Network, error) {
	net, err := graph.New(cfg, 1)
	if err == nil {
		err = c.SetParams(net)
	}
	if err != nil {
		return nil, usagef("--model %s: %v", path, err)
	}
	return net, nil
}

// pathFlags are the run flags that name files: recorded as absolute
// paths, so that --resume works from any working directory, and compared
// by the file they name.
var pathFlags = map[string]bool{"data": true, "val": true}

// recordFlags returns the run flags' values in fs, and train's --preset
// (so that --resume goes on under it and its summary names it).
func recordFlags(fs *flag.FlagSet) map[string]string {
	out := map[string]string{}
	for _, n := range append(runFlagNames(), "preset") {
		if f := fs.Lookup(n); f != nil {
			out[n] = f.Value.String()
			if pathFlags[n] && out[n] != "" {
				out[n] = rundir.AbsPath(out[n])
			}
		}
	}
	return out
}

// applyFlags sets fs's run flags to a model file's values; a flag the user
// set to another value is a usage error (a path flag naming the same file,
// by another path, is the same value; against a version 3 file, a value
// spelt otherwise, " 40, 52" for "40,52", is too). Flags the file does not
// know keep their defaults.
func applyFlags(fs *flag.FlagSet, c *modelfile.File, explicit map[string]bool, file string) error {
	recorded := c.RunFlags()
	var differ error // the first explicit flag that differs
	for _, n := range runFlagNames() {
		v, ok := recorded[n]
		f := fs.Lookup(n)
		if !ok || f == nil {
			continue
		}
		cur := f.Value.String()
		if c.Version >= 3 {
			if m, err := modelfile.FromFlags(map[string]string{n: cur}); err == nil {
				cur = m.Flags()[n] // as the Model holds it
			}
		}
		if cur == v {
			continue // not marked as set: data flags check which were
		}
		if explicit[n] && pathFlags[n] && f.Value.String() != "" && (rundir.SamePath(f.Value.String(), v) || c.Moved(n)) {
			continue // (a moved file: checkResumedData checks the one given)
		}
		if explicit[n] && v == "" && namesColumns(n, cur, c.Model) {
			continue // (the columns it was trained on, by default, named)
		}
		given := f.Value.String()
		if given == "" {
			given = `""`
		}
		if explicit[n] && v == "" && differ == nil {
			took := "" // the columns it took by default
			switch {
			case n == "x-cols" && len(c.Model.XNames) > 0:
				took = " (on its columns " + strings.Join(c.Model.XNames, ",") + ")"
			case n == "y-col" && c.Model.YName != "":
				took = " (its target: " + c.Model.YName + ")"
			}
			differ = usagef("--%s %s: %s was trained without --%s%s", n, given, file, n, took)
		}
		if explicit[n] && differ == nil {
			differ = usagef("--%s %s: %s was trained with --%s %s", n, given, file, n, v)
		}
		if explicit[n] {
			continue // (the others still restored: runTrain checks the flags' effects first)
		}
		if err := fs.Set(n, v); err != nil {
			return usagef("%s: flag --%s %q: %v", file, n, v, err)
		}
	}
	return differ
}

// namesColumns reports a --x-cols or --y-col value naming the columns a
// model trained without the flag took by default (its XNames, YName).
func namesColumns(flag, value string, m modelfile.Model) bool {
	switch flag {
	case "x-cols":
		cols, err := data.ParseColumns(value)
		return err == nil && slices.Equal(cols, m.XNames)
	case "y-col":
		return strings.TrimSpace(value) == m.YName && m.YName != ""
	}
	return false
}

// gone reports a recorded file that is no longer there (moved or
// removed; a link to nothing): --resume takes its new path.
func gone(path string) bool {
	_, err := os.Stat(path)
	return path != "" && errors.Is(err, fs.ErrNotExist)
}

// checkRecordedFiles refuses a --resume whose recorded --data or --val is
// gone and was not given again, naming the flag to give.
func checkRecordedFiles(flags *flag.FlagSet, explicit map[string]bool, file string) error {
	for _, n := range slices.Sorted(maps.Keys(pathFlags)) {
		f := flags.Lookup(n)
		if f == nil || explicit[n] || f.Value.String() == "" {
			continue
		}
		what := "is not there now"
		if st, err := os.Stat(f.Value.String()); err == nil && !st.Mode().IsRegular() {
			what = "is not a file now"
		} else if !gone(f.Value.String()) {
			continue
		}
		return usagef("--resume %s: it was trained with --%s %s, which %s (moved? give its new path with --%s)", file, n, f.Value.String(), what, n)
	}
	return nil
}

// explicitFlags are the flags the user set in fs; isSet is one of them.
func explicitFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

func isSet(fs *flag.FlagSet, name string) bool { return explicitFlags(fs)[name] }

// readModel reads a model file and validates the model it describes
// (checkpointDesc) before anything is built; every problem is one usage
// error naming the flag and the file. The file must be a regular file
// (not /dev/zero or a FIFO) that fits in memory; the read checks its CRCs
// and stops at a signal (modelfile.Read).
func readModel(flagName, path string) (*modelfile.File, error) {
	if path == "" {
		return nil, usagef("%s: empty path", flagName)
	}
	if err := modelfile.CheckFits(path, memory.Available()); err != nil {
		return nil, usagef("%s %s: %v", flagName, path, err)
	}
	c, err := modelfile.Read(path)
	if err != nil {
		return nil, usagef("%s %s: %v", flagName, path, unwrapPath(err))
	}
	if _, err := checkpointDesc(c); err != nil {
		return nil, usagef("%s %s: %v", flagName, path, err)
	}
	return c, nil
}
