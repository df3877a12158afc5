package bandit

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/bbb-go/bbb/data"
)

// learnOnce builds the BBB agent's learner of c and takes one update on
// one interaction; it returns the learnables before and after, and the
// gradients of that update.
func learnOnce(t *testing.T, c Config) (l *learner, before, after, grads [][]float32) {
	t.Helper()
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithDefaults()
	l, err = newLearner(c, d, Agent{Name: "bbb", Thompson: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.close)
	for _, p := range l.params {
		before = append(before, slices.Clone(f32(p)))
	}
	if err := l.learn(context.Background(), 3, true, -35); err != nil {
		t.Fatal(err)
	}
	for i, p := range l.params {
		after = append(after, f32(p))
		grads = append(grads, f32(l.grads[i]))
	}
	return l, before, after, grads
}

// maxMove is the largest |after - before| over the learnables i for which
// keep(i) holds.
func maxMove(before, after [][]float32, keep func(int) bool) float64 {
	m := 0.0
	for i := range before {
		if !keep(i) {
			continue
		}
		for j := range before[i] {
			m = max(m, math.Abs(float64(after[i][j]-before[i][j])))
		}
	}
	return m
}

// Adam's first step moves every parameter with a gradient by its learning
// rate (m/√v = ±1): the means by LR, the rhos by RhoLR.
func TestRhoLRAdam(t *testing.T) {
	c := Config{Seed: 3, Batch: 8, Hidden: 8, Agents: []Agent{{Name: "bbb", Thompson: true}}, LR: 1e-2, RhoLR: 1e-4}
	l, before, after, _ := learnOnce(t, c)
	rho := func(i int) bool { return slices.Contains(l.rhoIdx, i) }
	mean := func(i int) bool { return !rho(i) }
	// float32 near rho = -8 resolves about 1e-6.
	if got := maxMove(before, after, rho); math.Abs(got-1e-4) > 5e-6 {
		t.Errorf("largest move of a rho: %.3g, want 1e-4 (RhoLR)", got)
	}
	if got := maxMove(before, after, mean); math.Abs(got-1e-2) > 1e-4 {
		t.Errorf("largest move of a mean: %.3g, want 1e-2 (LR)", got)
	}
}

// With RhoSGD a rho moves by -RhoLR times its gradient, exactly; the means
// still take Adam at LR.
func TestRhoSGD(t *testing.T) {
	c := Config{Seed: 3, Batch: 8, Hidden: 8, Agents: []Agent{{Name: "bbb", Thompson: true}}, LR: 1e-2, RhoLR: 0.5, RhoSGD: true}
	l, before, after, grads := learnOnce(t, c)
	rho := func(i int) bool { return slices.Contains(l.rhoIdx, i) }
	moved := 0
	for i := range before {
		if !rho(i) {
			continue
		}
		for j := range before[i] {
			if want := before[i][j] - float32(0.5)*grads[i][j]; after[i][j] != want {
				t.Fatalf("learnable %d[%d]: %v after gradient %v from %v, want %v", i, j, after[i][j], grads[i][j], before[i][j], want)
			}
			if after[i][j] != before[i][j] {
				moved++
			}
		}
	}
	if moved == 0 {
		t.Fatal("no rho moved")
	}
	if got := maxMove(before, after, func(i int) bool { return !rho(i) }); math.Abs(got-1e-2) > 1e-4 {
		t.Errorf("largest move of a mean: %.3g, want 1e-2 (LR)", got)
	}
}

// The rhos the learner steps with their own optimiser are the BBB
// network's w_rho and b_rho of each layer, found by name (rhoIdx); the
// rest take Adam at LR; a twin has none.
func TestRhoIndices(t *testing.T) {
	c := Config{Seed: 3, Batch: 8, Hidden: 8, Agents: []Agent{{Name: "bbb", Thompson: true}}}.WithDefaults()
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLearner(c, d, Agent{Name: "bbb", Thompson: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	var names []string
	for _, i := range l.rhoIdx {
		names = append(names, l.net.Learnables()[i].Name())
	}
	if want := []string{"w_rho0", "b_rho0", "w_rho1", "b_rho1", "w_rho2", "b_rho2"}; !slices.Equal(names, want) {
		t.Errorf("rhos: %v, want %v", names, want)
	}
	if len(l.rhoIdx)+len(l.meanIdx) != len(l.params) {
		t.Errorf("%d rhos and %d means of %d params", len(l.rhoIdx), len(l.meanIdx), len(l.params))
	}
	tw, err := newLearner(c, d, Agent{Name: "greedy"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer tw.close()
	if tw.rhoOpt != nil || len(tw.rhoIdx) != 0 || len(tw.meanIdx) != len(tw.params) {
		t.Errorf("twin: rho optimiser %v, %d rhos, %d of %d params on Adam", tw.rhoOpt, len(tw.rhoIdx), len(tw.meanIdx), len(tw.params))
	}
}

// Result.MeanSigma is the mean of log(1 + e^rho) over the BBB network's
// rhos: with the rhos held still (SGD at a rate too small to move them) it
// is that of the initial rho; a twin has none.
func TestMeanSigma(t *testing.T) {
	d, err := data.EmbeddedMushrooms()
	if err != nil {
		t.Fatal(err)
	}
	c := small(50, 2)
	c.InitRho, c.RhoLR, c.RhoSGD = -3, 1e-30, true
	r, err := Run(t.Context(), d, c)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Log1p(math.Exp(-3))
	if got := r.MeanSigma[0]; math.Abs(got/want-1) > 1e-5 {
		t.Errorf("bbb: mean sigma %v, want %v", got, want)
	}
	if r.MeanSigma[1] != 0 || r.MeanSigma[2] != 0 {
		t.Errorf("twins: mean sigma %v, want 0", r.MeanSigma[1:])
	}
	c.RhoLR = 1e-2 // now they move
	if r, err = Run(t.Context(), d, c); err != nil {
		t.Fatal(err)
	}
	if got := r.MeanSigma[0]; math.Abs(got/want-1) < 1e-3 {
		t.Errorf("bbb, rho-lr 1e-2: mean sigma %v, still the initial %v", got, want)
	}
}
