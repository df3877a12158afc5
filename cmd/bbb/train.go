package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/interrupt"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/rundir"
	"github.com/bbb-go/bbb/train"
)

type trainFlags struct {
	modelFlags
	start     job.StartSettings // --preset, --resume
	ckpt      *modelfile.File   // read --resume
	files     job.OutputSettings
	df        dataFlags  // --data and its options (data.go)
	mnist     mnistFlags // --preset mnist's data (classify.go)
	run       job.RunSettings
	runFlags  map[string]string
	csv       *data.Fitted    // loaded --data, nil for the seed's curve
	maxMemory memory.Limit    // --max-memory (memory.go)
	kept      *modelfile.File // the trained model for a --save outside --out (writeKept)
}

// flagSet registers train's flags into a new flag set (bbb sweep asks it
// which flags exist).
func (f *trainFlags) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	f.register(fs)
	settingflag.Define(fs, &f.run, &f.files, &f.start)
	f.df.register(fs)
	f.mnist.register(fs, true)
	registerMaxMemory(fs, &f.maxMemory)
	return fs
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f trainFlags
	fs := f.flagSet()
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	explicit := explicitFlags(fs)
	if f.start.Resume != "" && f.start.Preset != "mnist" { // (--preset mnist refuses --resume)
		c, err := readModel("--resume", f.start.Resume)
		if err != nil {
			return err
		}
		if c.Model.Network.Task != "" {
			return usagef("--resume %s: a %s model (train --preset mnist): --resume continues regression runs only", f.start.Resume, c.Model.Network.Task)
		}
		// The run goes on under the preset it was trained with.
		if p, ok := c.RunFlags()["preset"]; ok {
			if explicit["preset"] && p != f.start.Preset {
				return usagef("--preset %s: %s was trained with --preset %s", f.start.Preset, f.start.Resume, p)
			}
			f.start.Preset = p
		}
		f.ckpt = c
	}
	if err := applyPreset(fs, f.start.Preset); err != nil {
		return err
	}
	if err := checkPresetEffect(f.start.Preset, explicit); err != nil {
		return err
	}
	if err := f.run.CheckMilestones(&f.ModelSettings, f.files.Save); err != nil && explicit["lr-milestones"] {
		return flagError(err) // (a preset's milestones past a shorter --epochs simply do not apply)
	}
	// The paths as typed, before any file is read (check does it again
	// with the data flags --resume restores).
	if err := checkPlan(f.ioPlan()); err != nil {
		return err
	}
	if f.start.Preset == "mnist" {
		if err := checkFlagDeps(fs, explicit); err != nil {
			return err
		}
		f.runFlags = f.recordFlags()
		return runClassify(ctx, f, stdout, stderr)
	}
	if c := f.ckpt; c != nil {
		if err := usageOf(job.Restore(c, &f.ModelSettings, &f.df.DataSettings, explicit, f.start.Resume)); err != nil {
			if dep := checkFlagDeps(fs, explicit); dep != nil {
				return dep // (a flag with no effect beside the file's settings: said so, not that it differs)
			}
			return err
		}
		if err := f.checkRecordedFiles(explicit); err != nil {
			return err
		}
		if _, ok := c.RunFlags()["preset"]; !ok {
			// A checkpoint that does not record its preset: --preset must
			// agree with the flags it was trained with, or the summary
			// would name a preset that did not run.
			for _, k := range slices.Sorted(maps.Keys(job.Presets[f.start.Preset])) { // (in order: one message run after run)
				if fl, v := fs.Lookup(k), job.Presets[f.start.Preset][k]; fl != nil && fl.Value.String() != v && !explicit[k] {
					return usagef("--preset %s: %s was trained with --%s %s, not the preset's %s", f.start.Preset, f.start.Resume, k, fl.Value.String(), v)
				}
			}
		}
		if r := c.ReportEvery(); r > 0 && !explicit["report-every"] {
			f.run.ReportEvery = r // (the reports at the same epochs: the files of one run)
		}
		if c.Model.Epoch >= f.run.Epochs {
			return usagef("--epochs %d: %s has trained %d epochs already (--epochs is the total)", f.run.Epochs, f.start.Resume, c.Model.Epoch)
		}
	}
	if err := checkFlagDeps(fs, explicit); err != nil { // (the values --resume restored included)
		return err
	}
	f.runFlags = f.recordFlags()
	if err := f.check(); err != nil {
		return err
	}
	var err error
	if f.csv, err = f.df.load(f.Seed); err != nil {
		return err
	}
	if c := f.ckpt; c != nil && f.csv != nil {
		if err := f.checkResumedData(c); err != nil {
			return err
		}
	}
	if f.csv != nil {
		rows := f.csv.Rows()
		if err := checkMemory(memory.Sizes{Points: rows, Hidden: f.Hidden, Layers: f.Layers,
			Samples: f.run.Samples, Workers: f.Workers, Inputs: f.csv.Inputs(), DtypeBytes: f.DtypeBytes(),
			PointsFrom: fmt.Sprintf("--data %s (%d rows)", f.df.Data, rows), InputsFrom: fmt.Sprintf("--data %s (%d columns)", f.df.Data, f.csv.Inputs())}, f.maxMemory); err != nil {
			return err
		}
	}
	rows := data.CurveConfig{N: f.Points}.TrainRows() // (--batch-size against them: before --out is touched, and in a sweep's check)
	if f.csv != nil {
		rows = f.csv.Raw.Train.Len()
	}
	if err := flagError(f.CheckBatchRows(rows)); err != nil {
		return err
	}
	if checkOnly(ctx) {
		return nil
	}
	rd, err := openRunDir("--out", f.files.Out)
	if err != nil {
		return err
	}
	defer rd.Abort() // unless committed: --out keeps the previous run
	return trainJob(ctx, f, rd, stdout, stderr)
}

// checkResumedData refuses --resume's data if it is not what the model
// was trained on (modelfile.File.CheckData), naming the flag and file.
func (f *trainFlags) checkResumedData(c *modelfile.File) error {
	var de *modelfile.DataError
	if err := c.CheckData(f.csv); errors.As(err, &de) {
		path := map[string]string{"data": f.df.Data, "val": f.df.Val}[de.File]
		return usagef("--resume %s: --%s %s %s", f.start.Resume, de.File, path, de.Reason)
	}
	return nil
}

func applyPreset(fs *flag.FlagSet, name string) error {
	p, ok := job.Presets[name]
	if !ok {
		return usagef("--preset %q: want seed, quick, calibrated or mnist", name)
	}
	set := explicitFlags(fs)
	for k, v := range p {
		if !set[k] {
			if err := fs.Set(k, v); err != nil {
				return usagef("--preset %s: %v", name, err)
			}
		}
	}
	return nil
}

// checkPresetEffect refuses a --preset the user gave whose every setting
// the user gave too: it would change nothing but the name the run records
// (and a --resume would have to repeat it). Not mnist: it is also the
// classifier and its data.
func checkPresetEffect(name string, explicit map[string]bool) error {
	keys := slices.Sorted(maps.Keys(job.Presets[name]))
	if !explicit["preset"] || len(keys) == 0 || name == "mnist" || slices.ContainsFunc(keys, func(k string) bool { return !explicit[k] }) {
		return nil
	}
	return usagef("--preset %s: has no effect with --%s given: they are every setting it makes", name, strings.Join(keys, ", --"))
}

func (f *trainFlags) check() error {
	if err := f.run.Check(graph.Regression); err != nil {
		return flagError(err)
	}
	if err := f.modelFlags.check(); err != nil {
		return err
	}
	if err := checkFormat(&f.files.Format); err != nil {
		return err
	}
	if f.df.Data == "" { // a --data run is checked once its rows are known (runTrain)
		if err := checkMemory(memory.Sizes{Points: f.Points, Hidden: f.Hidden, Layers: f.Layers, Samples: f.run.Samples,
			Workers: f.Workers, Inputs: 1, DtypeBytes: f.DtypeBytes()}, f.maxMemory); err != nil {
			return err
		}
	}
	return f.checkOutputs()
}

// checkOutputs checks --checkpoint-every, --save and --cpuprofile (train
// and train --preset mnist).
func (f *trainFlags) checkOutputs() error {
	start := 0
	if f.ckpt != nil {
		start = f.ckpt.Model.Epoch
	}
	if err := f.run.CheckCheckpoints(start); err != nil {
		return flagError(err)
	}
	return checkPlan(f.ioPlan())
}

// ioPlan lists train's inputs and outputs (rundir.Plan): --save may
// rewrite the --resume file it continues.
func (f *trainFlags) ioPlan() *rundir.Plan {
	p := newPlan()
	p.In("--data", f.df.Data)
	p.In("--val", f.df.Val)
	p.In("--resume", f.start.Resume)
	p.In("--from", f.mnist.From)
	p.InDir("--mnist-dir", f.mnist.Dir)
	p.Rewrites("--save", f.files.Save, "--resume")
	p.Replacing("--save", modelfile.Replaceable)
	p.Out("--cpuprofile", f.files.CPUProfile)
	p.Replacing("--cpuprofile", rundir.ReplacesProfile)
	p.OutDir("--out", f.files.Out)
	return p
}

// startProfile starts --cpuprofile (if set: job.StartCPUProfile) into
// the staged run when it names a file in --out; an interrupted run writes
// none, so the previous profile stays, as --out does.
func (f *trainFlags) startProfile(ctx context.Context, stage string) (stop func(write bool) error, err error) {
	if f.files.CPUProfile == "" {
		return func(bool) error { return nil }, nil
	}
	cancelled := func() bool { _, ok := interrupt.Cause(ctx); return ok }
	stopProfile, err := job.StartCPUProfile(rundir.StagedPath(f.files.CPUProfile, f.files.Out, stage), cancelled)
	if err != nil {
		return nil, err
	}
	return func(write bool) error {
		if err := stopProfile(write); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// regressionJob is the job train runs for flags f, writing into stage
// (the curve, or --data, made and checked here: a problem is a usage
// error).
func (f *trainFlags) regressionJob(ctx context.Context, stage string) (job.Regression, error) {
	cfg := f.run.TrainConfig(&f.ModelSettings, cudaBuild)
	j := job.Regression{Train: cfg, NoTrainBand: f.files.NoTrainBand, Resume: f.ckpt,
		Outputs: f.jobOutputs(stage), Info: f.jobInfo(), Hooks: f.jobHooks(ctx, stage)}
	if f.csv != nil {
		j.Data, j.Scaler, j.XNames, j.YName = f.csv.Raw, &f.csv.Scaler, f.csv.Table.XNames, f.csv.Table.YName
		j.Train.Graph.Inputs = f.csv.Inputs()
		j.DataFile = rundir.AbsPath(f.df.Data)
		if f.df.Val != "" {
			j.ValFile = rundir.AbsPath(f.df.Val)
		} else {
			j.ValSplit = f.df.ValSplit
		}
	} else {
		var err error
		if j.Data, err = data.MakeCurve(cfg.Data, cfg.Seed); err != nil {
			return j, usagef("%v", err)
		}
	}
	return j, flagError(f.CheckBatch(j.Data))
}

// jobOutputs are a job's outputs: --format, --no-figures, --save (in the
// staged run when it names a file in --out; elsewhere kept, and written
// once --out is in place: writeKept) and --checkpoint-every.
func (f *trainFlags) jobOutputs(stage string) job.Outputs {
	o := job.Outputs{Format: f.files.Format, NoFigures: f.files.NoFigures, Save: rundir.StagedPath(f.files.Save, f.files.Out, stage), CheckpointEvery: f.run.CheckpointEvery}
	if o.Save != "" && o.Save == f.files.Save {
		o.KeepModel = func(m *modelfile.File) { f.kept = m }
	}
	return o
}

// writeKept writes the model the job kept (--save outside --out) to its
// temporary file before --out is replaced, and returns the rename that
// puts it in place after (interrupt.RunDir.Prepare): a run that fails or is stopped
// before leaves both as they were.
func (f *trainFlags) writeKept() (commit func() error, abort func(), err error) {
	if f.kept == nil {
		return nil, nil, nil
	}
	rename, remove, err := modelfile.Prepare(f.files.Save, f.kept)
	if err != nil {
		return nil, nil, fmt.Errorf("--save %s: %w", f.files.Save, err)
	}
	return func() error {
		if err := rename(); err != nil {
			return fmt.Errorf("--save %s: %w (--out holds the new run)", f.files.Save, err)
		}
		return nil
	}, remove, nil
}

// jobInfo describes this binary and the run's flags for a job's summary
// and saved models.
func (f *trainFlags) jobInfo() job.Info {
	device, name := deviceName(f.device)
	model, _ := modelfile.FromFlags(f.runFlags) // (each value checked: f.check)
	if f.csv != nil {
		model.Data.FileSHA256, model.Data.ValSHA256 = f.csv.TrainSHA256, f.csv.ValSHA256
	}
	model.ReportEvery = f.run.ReportEvery
	return job.Info{Preset: f.start.Preset, Dtype: f.Dtype, Device: device, DeviceName: name, Ops: f.Ops(cudaBuild), GEMM: gemmBackend(),
		Threads: f.Threads, Build: buildInfo(), Model: model}
}

// jobHooks name a job's stages for the message of an interrupted run and
// run --cpuprofile around its training.
func (f *trainFlags) jobHooks(ctx context.Context, stage string) job.Hooks {
	return job.Hooks{Stage: interrupt.EnterStage, Stopped: interrupt.SetStage,
		Profile: func() (func(bool) error, error) { return f.startProfile(ctx, stage) }}
}

// jobError is a failed job's error for the exit code: a diverged run's
// folder (its losses say where it went wrong) takes the place of an --out
// that holds no finished run (none, or a diverged one's); one that does
// keeps it, and the error says so (and where a --save outside it was
// rewritten by a checkpoint). An input the job could not use is named by its flag (--resume and
// --from: usage errors).
func (f *trainFlags) jobError(rd *runDir, err error) error {
	if errors.Is(err, train.ErrDiverged) {
		if slices.Contains(rd.Previous, "summary.json") { // (a finished run's: a diverged one's has none)
			saved := "" // (checkpoints to a --save outside --out are written as they come)
			if f.files.Save != "" && f.run.CheckpointEvery > 0 && rundir.StagedPath(f.files.Save, f.files.Out, rd.Stage) == f.files.Save {
				saved = fmt.Sprintf("; --save %s holds this run's last checkpoint, if one came before", f.files.Save)
			}
			return fmt.Errorf("%w; --out %s keeps its previous run (give a new --out to keep this run's losses)%s", err, f.files.Out, saved)
		}
		if err := rd.Commit(); err != nil {
			return err
		}
	}
	var ie *job.InputError
	if errors.As(err, &ie) {
		switch ie.Input {
		case "Resume":
			return usagef("--resume %s: %v", f.start.Resume, ie.Err)
		case "From":
			return usagef("--from %s: %v", f.mnist.From, ie.Err)
		case "Prune":
			return fmt.Errorf("--prune %v: %w", f.mnist.Prune, ie.Err)
		case "Save":
			return fmt.Errorf("--save %s: %w", f.files.Save, ie.Err)
		}
	}
	return err
}

// trainJob runs the regression job into the staged run and replaces --out
// with it.
func trainJob(ctx context.Context, f trainFlags, rd *runDir, stdout, stderr io.Writer) error {
	j, err := f.regressionJob(ctx, rd.Stage)
	if err != nil {
		return err
	}
	rd.Prepare = f.writeKept
	s, err := j.Run(ctx, rd.Stage, f.progress(stderr))
	if err != nil {
		return f.jobError(rd, err)
	}
	if err := rd.commitOut(ctx); err != nil {
		return err
	}
	return job.WriteSummary(stdout, s, f.files.Out)
}

// progress is where a job's progress lines go: stderr, or nowhere with -q.
func (f *trainFlags) progress(stderr io.Writer) io.Writer { return progressTo(f.files.Quiet, stderr) }
