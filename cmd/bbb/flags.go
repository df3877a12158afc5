package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/internal/linalg"
	"github.com/bbb-go/bbb/internal/settingflag"
	"github.com/bbb-go/bbb/job"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
)

// modelFlags are the flags train and bench share: the run's
// job.ModelSettings (its fields' tags name the flags, their defaults, the
// seed's, and their help) and the device.
type modelFlags struct {
	job.ModelSettings
	device string
	tf32   bool
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	settingflag.SetDefaults(&m.ModelSettings)
	m.Workers = defaultWorkers()
	settingflag.Register(fs, &m.ModelSettings)
	fs.Lookup("threads").Usage = threadsHelp()
	fs.StringVar(&m.device, "device", defaultDevice, "cpu (bin/bbb) or gpu (the CUDA build, bin/bbb-cuda)")
	fs.BoolVar(&m.tf32, "tf32", false, "TF32 tensor-core GEMMs for the graph's float32 matrix products (the CUDA build, on an NVIDIA Ampere or newer GPU: faster, inputs rounded to 10 mantissa bits)")
}

// threadsHelp says what --threads does in this build.
func threadsHelp() string {
	const what = "cores for a step: matrix products split by rows (one OpenBLAS thread each), the elementwise kernels, Adam, epsilon drawn ahead (0: all cores; a seed's numbers are the same run after run at one thread count, not across counts)"
	if linalg.ThreadsSettable() {
		return what
	}
	return "no effect in this build: its GEMM (" + linalg.Backend() + ") splits large products over GOMAXPROCS cores itself; " +
		"in the OpenBLAS build (make bbb): " + what
}

// check validates the shared flags (job.ModelSettings' checks, the sizes
// against the available memory, the device, --tf32), then sets the GEMM
// threads (--threads) and TF32 (--tf32); it does no other work.
func (m *modelFlags) check() error {
	var se *modelfile.SizeError
	if err := m.CheckValues(descMemory()); errors.As(err, &se) {
		return usagef("%s", se.Named("--hidden", "--layers"))
	} else if err != nil {
		return flagError(err)
	}
	if err := checkDevice(m.device); err != nil {
		return err
	}
	if err := setTF32(m.tf32); err != nil {
		return err
	}
	if err := m.CheckOptions(cudaBuild); err != nil {
		return usageOf(err)
	}
	linalg.SetThreads(m.Threads)
	return nil
}

// defaultWorkers is one goroutine per core on the CPU; on the GPU one
// machine (one CUDA context) does all passes.
func defaultWorkers() int {
	if cudaBuild {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// graphConfig is the network of the flags in this build: the CUDA build
// runs the resident graph (--stock-ops there: Gorgonia's stock ops, the
// earlier GPU path).
func (m *modelFlags) graphConfig() graph.Config { return m.GraphConfig(cudaBuild) }

func (m *modelFlags) trainConfig() train.Config { return m.TrainConfig(cudaBuild) }

// parseFlags parses args into fs; errors become one-line usage errors and
// -h prints the flags to stdout.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: bbb %s [flags]\n", fs.Name())
			if err := settingflag.PrintDefaults(stdout, fs); err != nil {
				return err
			}
			return errHelp
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	if err := checkEmptyPaths(fs); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// emptyRefused are the flags naming files or columns whose empty value
// is no value: given as "" they would fall back to their default (--data
// "" trained on the seed's curve), so they are refused.
var emptyRefused = []string{"data", "val", "resume", "save", "cpuprofile", "x-cols", "y-col", "compare", "grid", "collect", "task", "from", "mnist-dir"}

// checkEmptyPaths refuses a flag of emptyRefused given as "".
func checkEmptyPaths(fs *flag.FlagSet) error {
	for _, name := range emptyRefused {
		if f := fs.Lookup(name); f != nil && isSet(fs, name) && f.Value.String() == "" {
			return usagef(`--%s "": empty (give a value, or leave --%s out)`, name, name)
		}
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// progressTo is where a command's progress lines go: w, or nowhere (nil)
// with -q.
func progressTo(quiet bool, w io.Writer) io.Writer {
	if quiet {
		return nil
	}
	return w
}
