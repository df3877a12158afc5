package main

import (
	"flag"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
)

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

// recordFlags returns the run's settings as a model file records them
// (job.Recorded), and train's --preset (so that --resume goes on under it
// and its summary names it).
func (f *trainFlags) recordFlags() map[string]string {
	out := job.Recorded(&f.ModelSettings, &f.df.DataSettings)
	out["preset"] = f.start.Preset
	return out
}

// checkRecordedFiles refuses a --resume whose recorded --data or --val is
// gone and was not given again, naming the flag to give.
func (f *trainFlags) checkRecordedFiles(explicit map[string]bool) error {
	if setting, path, what := f.df.MissingFile(explicit); setting != "" {
		n := flagOf(setting)
		return usagef("--resume %s: it was trained with %s %s, which %s (moved? give its new path with %s)", f.start.Resume, n, path, what, n)
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
