package main

import (
	"errors"
	"flag"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/job"
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

// runFlagNames are the flags that shape a run's parameters, by which a
// model file records them (job.RecordedFlags); --resume and predict
// restore them.
func runFlagNames() []string { return job.RecordedFlags() }

// restoreModel returns the model flags of the file c (predict's and
// prune's --model path; read by readModel), as train --resume restores
// them, with set applied (the command's own workers and threads) and
// checked.
func restoreModel(c *modelfile.File, path string, set func(*modelFlags)) (*modelFlags, error) {
	settings, _, err := job.FileSettings(c)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	m := &modelFlags{ModelSettings: settings, device: defaultDevice}
	m.Workers = defaultWorkers()
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
