package train

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/nodes"
)

// Config is a training run. Its zero value is the seed program's job.
type Config struct {
	Graph        graph.Config
	Data         data.CurveConfig
	Epochs       int        // default 5000
	LearningRate float64    // Adam's step size (default 0.01)
	LRSchedule   LRSchedule // lowers the step size at milestones (zero: constant)
	ReportEvery  int        // epochs between loss reports (default 500)
	Samples      int        // predictive passes (default 1000)
	Seed         uint64     // fixes data, init and every epsilon
	Workers      int        // goroutines for predictive sampling (default GOMAXPROCS)
	Batch        Batch      // minibatches (zero: the full batch; batch.go)
	MCSamples    int        // epsilon draws averaged per step (0 or 1: one)
}

// WithDefaults fills zero fields with the seed's values.
func (c Config) WithDefaults() Config {
	c.Graph = c.Graph.WithDefaults()
	c.Data = c.Data.WithDefaults()
	if c.Epochs == 0 {
		c.Epochs = 5000
	}
	if c.LearningRate == 0 {
		c.LearningRate = 0.01
	}
	if c.ReportEvery == 0 {
		c.ReportEvery = 500
	}
	if c.Samples == 0 {
		c.Samples = 1000
	}
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Batch.Size > 0 {
		c.Graph.KLWeightInput = true
	}
	c.LRSchedule = c.LRSchedule.WithDefaults()
	return c
}

// Validate reports the first field that cannot run.
func (c Config) Validate() error {
	if c.Epochs < 1 {
		return fmt.Errorf("train: epochs %d: need at least 1", c.Epochs)
	}
	if !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0) {
		return fmt.Errorf("train: learning rate %v: need a finite value > 0", c.LearningRate)
	}
	if c.ReportEvery < 1 {
		return fmt.Errorf("train: report every %d: need at least 1", c.ReportEvery)
	}
	if c.Samples < 2 {
		return fmt.Errorf("train: samples %d: need at least 2", c.Samples)
	}
	if c.Workers < 1 {
		return fmt.Errorf("train: workers %d: need at least 1", c.Workers)
	}
	if err := c.validateMulti(); err != nil {
		return err
	}
	if err := c.LRSchedule.Validate(); err != nil {
		return err
	}
	if err := c.Graph.Validate(); err != nil {
		return err
	}
	return c.Data.Validate()
}

// ErrDiverged is wrapped by the error of a run whose loss became NaN or Inf.
var ErrDiverged = errors.New("train: diverged")

// Trainer owns the training graph, its machine and the optimiser.
type Trainer struct {
	Config Config
	Net    *graph.Network // the training graph (rows = training points)
	Val    *Evaluator     // the validation graph

	vm       G.VM
	loss     G.Value
	grads    []G.Value
	params   []G.Value
	adam     *Adam
	epsSeed  uint64   // the key of the epsilon draws (epsahead.go)
	epsDraws uint64   // the draws used so far: the eps state (checkpoint.go)
	ahead    epsAhead // the next run's epsilon, drawn while this one runs
	epoch    int
	trainLen int
	multi    *multi          // minibatches or several draws per step (batch.go)
	ctx      context.Context // Run's: stepMulti stops between minibatches
	held     [][]int         // per layer, the weights held at zero (hold.go)
	logReads int             // reads of the loss log by residentEpoch: each waits for the device

	// TrainLosses is the training loss per point at every epoch run so far.
	TrainLosses []float64
	// StepSeconds is the wall time of each epoch's steps in Run (no
	// validation), from its start or Restore.
	StepSeconds []float64
}

// NewTrainer builds the graph for data.Train, initialises it from the
// seed and compiles one TapeMachine that every step reuses.
func NewTrainer(cfg Config, data data.Set) (*Trainer, error) {
	c := cfg.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rows := data.Train.Len()
	var mu *multi
	if c.multiStep() {
		var err error
		if mu, rows, err = newMulti(c, data.Train); err != nil {
			return nil, err
		}
	}
	net, err := newTrainGraph(c, rows, data.Train.Len())
	if err != nil {
		return nil, err
	}
	if net.X.Shape()[0] == data.Train.Len() {
		if err := setXY(net, data.Train); err != nil {
			return nil, err
		}
	}
	if err := net.Init(rand.New(rand.NewPCG(c.Seed, streamInit))); err != nil {
		return nil, err
	}
	if err := net.Differentiate(); err != nil {
		return nil, err
	}
	t := &Trainer{Config: c, Net: net, epsSeed: philoxSeed(c.Seed, streamEps), trainLen: data.Train.Len(), multi: mu}
	if mu != nil && c.Batch.Size > 0 {
		t.trainLen = data.Train.Len() / c.Batch.Size * c.Batch.Size // the points an epoch uses
	}
	if net.Store != nil {
		// Resident: epsilon and Adam run inside the graph; the losses go
		// into the store's log, read every so many steps (steps), and the
		// parameters come back when they are pulled.
		net.Store.Seed = t.epsSeed
		if err := net.AddAdam(nodes.AdamConfig{LR: c.LearningRate}); err != nil {
			return nil, err
		}
		if _, err := net.Store.Record(net.Loss); err != nil {
			return nil, err
		}
	} else {
		G.Read(readable(net.Loss), &t.loss)
		t.grads = make([]G.Value, len(net.Grads))
		for i, g := range net.Grads {
			G.Read(readable(g), &t.grads[i])
		}
		for _, p := range net.Learnables() {
			t.params = append(t.params, p.Value())
		}
		if t.adam, err = NewAdam(c.LearningRate); err != nil {
			return nil, err
		}
	}
	t.vm = G.NewTapeMachine(net.Graph)
	if t.Val, err = NewEvaluator(c.Graph, data.Val, c.Seed); err != nil {
		return nil, err
	}
	return t, nil
}

func setXY(net *graph.Network, s data.Split) error {
	if err := graph.SetValues(net.X, s.X); err != nil {
		return err
	}
	if net.Y != nil {
		return graph.SetValues(net.Y, s.Y)
	}
	return nil
}

// Close releases the machines.
func (t *Trainer) Close() error {
	t.settleEps()
	t.Val.Close()
	return t.vm.Close()
}

// Epoch is the number of steps taken.
func (t *Trainer) Epoch() int { return t.epoch }

// Step draws fresh epsilon, runs the graph once and applies one Adam
// update. It returns the negative ELBO before the update.
//
// A resident network draws epsilon and applies Adam inside the run; its
// host parameters (Net.Learnables) are brought up to date at every report
// epoch and at the last epoch.
//
// With minibatches or several draws per step (Config.Batch, MCSamples) a
// Step is one epoch: every minibatch's step, each averaging its draws. A
// Step past Config.Epochs is an error.
func (t *Trainer) Step() (float64, error) {
	losses, err := t.steps(1)
	if len(losses) == 0 {
		return 0, err
	}
	return losses[0], err
}

// Steps takes n steps (Step n times, at most up to Config.Epochs) and
// returns the loss of the last (on an error, of the last chunk before). A resident network runs them back to back
// and reads their losses from the store's log every LossFlush steps, so
// that on a GPU the host queues a step while the GPU still runs the one
// before (Step reads each loss back, which waits for the GPU).
func (t *Trainer) Steps(n int) (float64, error) {
	var last float64
	for n > 0 && t.epoch < t.Config.Epochs {
		losses, err := t.steps(min(n, LossFlush))
		if err != nil {
			return last, err // the last loss of the steps before the failed chunk
		}
		last = losses[len(losses)-1]
		n -= len(losses)
	}
	return last, nil
}

// LossFlush is how many resident steps run between two reads of the
// store's loss log (Steps, Run).
const LossFlush = 256

// steps takes up to n steps (n <= LossFlush; 1 unless resident) and
// returns their losses: fewer with an error, or past Config.Epochs. It
// stops on divergence, naming the first epoch whose loss is NaN or Inf,
// and on Run's ctx between steps. A resident chunk learns of a divergence
// when it reads the log: the steps after the NaN in that chunk have run
// (Epoch counts them; the losses returned stop at the NaN).
func (t *Trainer) steps(n int) ([]float64, error) {
	if t.epoch >= t.Config.Epochs {
		return nil, fmt.Errorf("train: epoch %d: past the last epoch %d", t.epoch+1, t.Config.Epochs)
	}
	if t.Net.Store == nil || t.multi != nil {
		step := t.hostStep
		if t.Net.Store != nil {
			step = t.residentEpoch // minibatches or draws: one epoch of runs
		}
		loss, err := step()
		if err != nil && !errors.Is(err, ErrDiverged) {
			return nil, err
		}
		return []float64{loss}, err
	}
	first := t.epoch + 1
	var runErr error
	for i := 0; i < n && t.epoch < t.Config.Epochs; i++ {
		if t.ctx != nil {
			if runErr = t.ctx.Err(); runErr != nil {
				break
			}
		}
		if runErr = t.residentRun(); runErr != nil {
			break
		}
	}
	if t.epoch < first {
		return nil, runErr
	}
	losses, err := t.Net.Store.Losses(uint64(first), uint64(t.epoch))
	if err != nil {
		return nil, cmp.Or(runErr, err) // a run's error is the cause; the read may have failed from it
	}
	for i, loss := range losses {
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return losses[:i+1], fmt.Errorf("%w at epoch %d: training loss is %v", ErrDiverged, first+i, loss)
		}
	}
	return losses, runErr
}

// residentRun runs one resident step: epsilon, the loss into the log and
// Adam on the device, the parameters pulled at report epochs and the last.
func (t *Trainer) residentRun() error {
	next := t.epoch + 1
	st := t.Net.Store
	if err := t.Net.SetStep(uint64(next)); err != nil {
		return err
	}
	if err := t.Net.SetUpdate(uint64(next), t.rate(), 0, 1); err != nil {
		return err
	}
	if next%t.Config.ReportEvery == 0 || next >= t.Config.Epochs {
		st.PullAfterRun()
	}
	defer st.RunDone()
	defer t.vm.Reset()
	if err := t.vm.RunAll(); err != nil {
		return fmt.Errorf("train: epoch %d: %w", next, err)
	}
	t.epoch++
	return nil
}

// hostStep is Step for a graph whose loss the host reads every run.
func (t *Trainer) hostStep() (float64, error) {
	t.adam.LR = t.rate()
	if t.multi != nil {
		return t.stepMulti()
	}
	next := t.epoch + 1
	if err := t.fillEps(); err != nil {
		return 0, err
	}
	defer t.vm.Reset()
	if err := t.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("train: epoch %d: %w", next, err)
	}
	loss, err := graph.Scalar(t.loss)
	if err != nil {
		return 0, err
	}
	t.epoch++
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("%w at epoch %d: training loss is %v", ErrDiverged, t.epoch, loss)
	}
	if err := t.adam.Step(t.params, t.grads); err != nil {
		return loss, err
	}
	t.restoreHeld()
	return loss, nil
}

// Report is the loss per point at one epoch.
type Report struct {
	Epoch     int
	TrainLoss float64 // negative ELBO / training points (one eps draw)
	ValLoss   float64 // negative ELBO / validation points (one eps draw)
}

// Run takes the remaining steps up to Config.Epochs, evaluating the
// validation loss every ReportEvery epochs and at the last one, and calls
// onReport (if not nil) with each report. It stops on ctx, on divergence
// (wrapping ErrDiverged, naming the epoch) or on any error.
func (t *Trainer) Run(ctx context.Context, onReport func(Report)) ([]Report, error) {
	var reports []Report
	t.ctx = ctx
	defer func() { t.ctx = nil }()
	for t.epoch < t.Config.Epochs {
		if err := ctx.Err(); err != nil {
			return reports, err
		}
		// Up to the next report (resident steps run back to back).
		e := t.Config.ReportEvery
		n := min((t.epoch/e+1)*e, t.Config.Epochs) - t.epoch
		t0 := time.Now()
		losses, err := t.steps(min(n, LossFlush))
		// The steps taken count even when one failed (one loss per epoch).
		secs := time.Since(t0).Seconds() / float64(max(1, len(losses)))
		for _, loss := range losses {
			t.StepSeconds = append(t.StepSeconds, secs)
			t.TrainLosses = append(t.TrainLosses, loss/float64(t.trainLen))
		}
		if err != nil {
			return reports, err
		}
		if t.epoch%t.Config.ReportEvery != 0 && t.epoch != t.Config.Epochs {
			continue
		}
		loss := losses[len(losses)-1]
		val, err := t.Val.Loss(t.Net)
		if err != nil {
			return reports, err
		}
		if math.IsNaN(val) || math.IsInf(val, 0) {
			return reports, fmt.Errorf("%w at epoch %d: validation loss is %v", ErrDiverged, t.epoch, val)
		}
		r := Report{Epoch: t.epoch, TrainLoss: loss / float64(t.trainLen), ValLoss: val / float64(t.Val.Net.Rows)}
		reports = append(reports, r)
		if onReport != nil {
			onReport(r)
		}
	}
	return reports, nil
}

// Evaluator computes the negative ELBO of a network's current parameters
// on held-out data, on a graph of its own (no gradients).
type Evaluator struct {
	Net   *graph.Network
	vm    G.VM
	loss  G.Value
	seed  uint64 // the key of its epsilon draws
	draws uint64 // the epsilon draws made: its eps state (checkpoint.go)
}

// NewEvaluator builds the loss graph for s; its epsilon stream comes from
// seed: draw d (its d-th Loss) is the counter-based draw d of
// philoxSeed(seed, streamValEps), on the host graph as on the resident.
func NewEvaluator(cfg graph.Config, s data.Split, seed uint64) (*Evaluator, error) {
	net, err := graph.New(cfg, s.Len())
	if err != nil {
		return nil, err
	}
	if err := setXY(net, s); err != nil {
		return nil, err
	}
	e := &Evaluator{Net: net, seed: philoxSeed(seed, streamValEps)}
	if net.Store != nil {
		net.Store.Seed = e.seed
	}
	G.Read(readable(net.Loss), &e.loss)
	e.vm = G.NewTapeMachine(net.Graph)
	return e, nil
}

// Loss copies src's parameters, draws one epsilon and returns the loss.
func (e *Evaluator) Loss(src *graph.Network) (float64, error) {
	if err := e.Net.CopyParams(src); err != nil {
		return 0, err
	}
	e.draws++
	if e.Net.Store != nil {
		if err := e.Net.SetStep(e.draws); err != nil {
			return 0, err
		}
	} else if err := e.Net.FillEpsAt(e.seed, e.draws); err != nil {
		return 0, err
	}
	defer e.vm.Reset()
	if err := e.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("train: validation: %w", err)
	}
	return graph.Scalar(e.loss)
}

// Close releases the machine.
func (e *Evaluator) Close() error { return e.vm.Close() }
