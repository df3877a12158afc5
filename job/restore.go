package job

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/rundir"
)

// A model file records the settings that shape its run's parameters by
// the flags that set them (modelfile.File.RunFlags: version 1 and 2 files
// hold the flags themselves, version 3 a typed modelfile.Model spelt as
// them). FileSettings reads them back into the settings types.

// notRecorded are the model settings that say how a run runs, not what it
// computes: a model file leaves them out.
var notRecorded = []string{"workers", "threads"}

// RecordedFlags are the flags a model file records its run's settings by:
// those of ModelSettings and DataSettings less --workers and --threads,
// sorted.
func RecordedFlags() []string {
	var names []string
	for _, n := range settingflag.Names(&ModelSettings{}, &DataSettings{}) {
		if n = n[2:]; !slices.Contains(notRecorded, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// FileSettings returns the model and data settings the file c records,
// each set from its recorded value as its flag would be; a setting the
// file does not record keeps its default. A recorded value its setting
// cannot hold is an error naming the flag and the value ("meta: flag
// --layers \"x\": ...").
func FileSettings(c *modelfile.File) (ModelSettings, DataSettings, error) {
	var m ModelSettings
	var d DataSettings
	fs := flag.NewFlagSet("meta", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	settingflag.Define(fs, &m, &d)
	recorded := c.RunFlags()
	for _, n := range RecordedFlags() {
		if v, ok := recorded[n]; ok {
			if err := fs.Set(n, v); err != nil {
				return m, d, fmt.Errorf("meta: flag --%s %q: %v", n, v, err)
			}
		}
	}
	return m, d, nil
}

// FileConfig returns the network the file c describes, validated before
// anything is built: its settings (FileSettings), its inputs and classes,
// every size within modelfile.CheckSize's bounds against available bytes
// of memory, graph.Config's own checks, and every parameter that network
// has in the file under its name with its shape (modelfile.File.
// CheckParams). resident is GraphConfig's. Errors name the recorded flags
// ("meta: --layers 0 --hidden 5: ..."), as the file records them.
func FileConfig(c *modelfile.File, resident bool, available float64) (graph.Config, error) {
	m, _, err := FileSettings(c)
	if err != nil {
		return graph.Config{}, err
	}
	if _, err := ParseDtype(m.Dtype); err != nil {
		return graph.Config{}, fmt.Errorf("meta: --dtype %q: want float32 or float64", m.Dtype)
	}
	if m.Layers < 1 || m.Hidden < 1 { // (graph.Config takes 0 for its default)
		return graph.Config{}, fmt.Errorf("meta: --layers %d --hidden %d: need at least 1 each", m.Layers, m.Hidden)
	}
	cfg := m.GraphConfig(resident)
	cfg.Inputs = c.Model.Network.Inputs
	if c.Model.Network.Task == graph.Classification.String() {
		cfg.Task, cfg.Classes = graph.Classification, c.Model.Network.Classes
	}
	var se *modelfile.SizeError
	if errors.As(modelfile.CheckSize(cfg, available), &se) {
		return graph.Config{}, fmt.Errorf("meta: %s", se.Named("--hidden", "--layers"))
	}
	if err := cfg.WithDefaults().Validate(); err != nil {
		return graph.Config{}, fmt.Errorf("meta: %v", err)
	}
	var e *modelfile.ParamError
	if err := c.CheckParams(cfg); err == nil {
		return cfg, nil
	} else if !errors.As(err, &e) {
		return graph.Config{}, err
	}
	switch e.Kind {
	case modelfile.ParamCount:
		return graph.Config{}, fmt.Errorf("meta: --layers %d --hidden %d make %d parameter arrays, the file lists %d", m.Layers, m.Hidden, e.Want, e.ListedCount)
	case modelfile.ParamShape:
		return graph.Config{}, fmt.Errorf("parameter %s: shape %v in the file, the model needs %v (--layers %d --hidden %d, %d inputs)", e.Name, e.Shape, e.WantShape, m.Layers, m.Hidden, cfg.Inputs)
	}
	return graph.Config{}, e // (the name or a missing array: no flag to name)
}

// pathSettings are the recorded flags that name files: a run records them
// as absolute paths and compares them by the file they name.
var pathSettings = []string{"data", "val"}

// Restore sets the model and data settings m and d to those the model
// file c records (as FileSettings reads them), for a run that goes on from
// it (bbb train --resume). A setting given (by its flag: given["layers"])
// keeps its value; one that differs from the file's is a *SettingError
// naming it and file, returned once every other setting is restored. A
// file setting given as another path to the same file, or as the new path
// of a file c records as moved (modelfile.File.Moved), agrees with the
// file's; so do XCols and YCol naming the columns the file's run took by
// default, and, against a version 3 file, a value spelt otherwise ("
// 40, 52" for "40,52").
func Restore(c *modelfile.File, m *ModelSettings, d *DataSettings, given map[string]bool, file string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	settingflag.Register(fs, m)
	settingflag.Register(fs, d)
	setting := map[string]string{} // flag → field
	for field, f := range settingflag.Names(m, d) {
		setting[f[2:]] = field
	}
	recorded := c.RunFlags()
	var differ error // the first given setting that differs
	for _, n := range RecordedFlags() {
		v, ok := recorded[n]
		if !ok {
			continue
		}
		f := fs.Lookup(n)
		cur := f.Value.String()
		if c.Version >= 3 {
			if model, err := modelfile.FromFlags(map[string]string{n: cur}); err == nil {
				cur = model.Flags()[n] // as the Model holds it
			}
		}
		switch {
		case cur == v:
			continue
		case !given[n]:
			if err := fs.Set(n, v); err != nil {
				return fmt.Errorf("%s: flag --%s %q: %v", file, n, v, err)
			}
			continue
		case differ != nil:
			continue
		case slices.Contains(pathSettings, n) && f.Value.String() != "" && (rundir.SamePath(f.Value.String(), v) || c.Moved(n)):
			continue // (a moved file: CheckData checks the one given)
		case v == "" && namesColumns(n, cur, c.Model):
			continue // (the columns it was trained on, by default, named)
		}
		value := f.Value.String()
		if value == "" {
			value = `""`
		}
		e := &SettingError{Setting: setting[n], Value: value, Reason: "{0} was trained with {" + setting[n] + "} {1}", Refs: []string{setting[n]}, Args: []string{file, v}}
		if v == "" {
			e.Reason = "{0} was trained without {" + setting[n] + "}{1}"
			switch {
			case n == "x-cols" && len(c.Model.XNames) > 0:
				e.Args[1] = " (on its columns " + strings.Join(c.Model.XNames, ",") + ")"
			case n == "y-col" && c.Model.YName != "":
				e.Args[1] = " (its target: " + c.Model.YName + ")"
			}
		}
		differ = e
	}
	return differ
}

// namesColumns reports an XCols or YCol value (by its flag) naming the
// columns a model trained without the setting took by default (its
// XNames, YName).
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

// Recorded returns the settings m and d by the flags a model file records
// them by (RecordedFlags), its file settings (Data, Val) as absolute
// paths, so that a resumed run finds them from any working directory.
func Recorded(m *ModelSettings, d *DataSettings) map[string]string {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	settingflag.Register(fs, m)
	settingflag.Register(fs, d)
	out := map[string]string{}
	for _, n := range RecordedFlags() {
		out[n] = fs.Lookup(n).Value.String()
		if slices.Contains(pathSettings, n) && out[n] != "" {
			out[n] = rundir.AbsPath(out[n])
		}
	}
	return out
}

// MissingFile returns the first file setting of d (Data, then Val) that
// a resumed run restored, not given (given, by flag, as Restore's), whose
// file is no longer there ("is not there now": moved or removed, or a
// link to nothing) or no longer a file ("is not a file now"): its setting
// and recorded path, for a refusal that asks for the new path. None: "".
func (d DataSettings) MissingFile(given map[string]bool) (setting, path, what string) {
	for _, s := range []struct{ setting, flag, path string }{{"Data", "data", d.Data}, {"Val", "val", d.Val}} {
		if given[s.flag] || s.path == "" {
			continue
		}
		st, err := os.Stat(s.path)
		switch {
		case err == nil && !st.Mode().IsRegular():
			return s.setting, s.path, "is not a file now"
		case errors.Is(err, fs.ErrNotExist):
			return s.setting, s.path, "is not there now"
		}
	}
	return "", "", ""
}
