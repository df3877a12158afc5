package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// A gathered resident network (the whole data set stored, each run
// gathering a minibatch by the store's permutation, the KL weight a store
// scalar) computes the loss and every gradient of a host network whose X
// and Y hold that minibatch's rows, with the same KL weight, parameters and
// epsilon: per minibatch of a shuffled epoch, in float32 and float64.
func TestGatheredMatchesHostBatch(t *testing.T) {
	checkGatheredBatches(t, tensor.Float64, 3, 7, 40, 10, 1e-10)
	checkGatheredBatches(t, tensor.Float32, 3, 7, 40, 10, 1e-4) // float32 sums in another order
}

// checkGatheredBatches compares the loss and every gradient of four
// minibatches of rows (of dataRows) to relative tolerance tol.
func checkGatheredBatches(t *testing.T, dt tensor.Dtype, layers, hidden, dataRows, rows int, tol float64) {
	t.Helper()
	cfg := Config{Layers: layers, Hidden: hidden, LikelihoodSigma: 0.5, Dtype: dt, Prior: residentNormal, KLWeightInput: true}
	full := netLike(t, cfg, dataRows, 5)
	x, _ := Values(full.X)
	y, _ := Values(full.Y)
	perm := rand.New(rand.NewPCG(1, 2)).Perm(dataRows)
	rc := cfg
	rc.Resident, rc.Init = true, full.Config.Init
	res, err := NewGathered(rc, dataRows, rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != rows || res.X.Shape()[0] != dataRows || res.Y.Shape()[0] != dataRows {
		t.Fatalf("rows %d, x %v, y %v", res.Rows, res.X.Shape(), res.Y.Shape())
	}
	if err := res.CopyParams(full); err != nil {
		t.Fatal(err)
	}
	if err := SetValues(res.X, x); err != nil {
		t.Fatal(err)
	}
	if err := SetValues(res.Y, y); err != nil {
		t.Fatal(err)
	}
	res.ReloadInputs()
	res.Store.Seed = 42
	if err := res.SetPermutation(perm); err != nil {
		t.Fatal(err)
	}
	if err := res.Differentiate(); err != nil {
		t.Fatal(err)
	}
	for i, weight := range []float64{0.5, 0.25, 0.125, 0.125} {
		step := uint64(3 + i)
		if err := res.SetStep(step); err != nil {
			t.Fatal(err)
		}
		if err := res.SetBatch(i); err != nil {
			t.Fatal(err)
		}
		if err := res.SetKLWeight(weight); err != nil {
			t.Fatal(err)
		}
		host, err := New(cfg, rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := host.CopyParams(full); err != nil {
			t.Fatal(err)
		}
		bx, by := make([]float64, 0, rows), make([]float64, 0, rows)
		for _, j := range perm[i*rows : (i+1)*rows] {
			bx, by = append(bx, x[j]), append(by, y[j])
		}
		if err := SetValues(host.X, bx); err != nil {
			t.Fatal(err)
		}
		if err := SetValues(host.Y, by); err != nil {
			t.Fatal(err)
		}
		if err := host.SetKLWeight(weight); err != nil {
			t.Fatal(err)
		}
		if err := host.FillEpsAt(42, step); err != nil {
			t.Fatal(err)
		}
		if err := host.Differentiate(); err != nil {
			t.Fatal(err)
		}
		lr, gr := lossAndGrads(t, res)
		lh, gh := lossAndGrads(t, host)
		if !(math.Abs(lr-lh) <= tol*math.Abs(lh)) {
			t.Errorf("%v batch %d: loss resident %v, host %v", dt, i, lr, lh)
		}
		for p := range gh {
			scale := 0.0
			for _, v := range gh[p] {
				scale = math.Max(scale, math.Abs(v))
			}
			for j := range gh[p] {
				if d := math.Abs(gr[p][j] - gh[p][j]); d > tol*scale+1e-12 {
					t.Errorf("%v batch %d: d loss/d %s[%d]: resident %v, host %v", dt, i, host.Learnables()[p].Name(), j, gr[p][j], gh[p][j])
					break
				}
			}
		}
	}
}

// NewGathered and its setters refuse what they cannot do.
func TestGatheredRefusals(t *testing.T) {
	if _, err := NewGathered(Config{}, 10, 5); err == nil || !strings.Contains(err.Error(), "resident") {
		t.Errorf("host config: err %v", err)
	}
	for _, r := range [][2]int{{10, 0}, {4, 5}} {
		if _, err := NewGathered(Config{Resident: true}, r[0], r[1]); err == nil || !strings.Contains(err.Error(), "rows") {
			t.Errorf("data rows %d, rows %d: err %v", r[0], r[1], err)
		}
	}
	plain, err := New(Config{Layers: 1, Resident: true}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.SetPermutation([]int{0, 1, 2, 3}); err == nil {
		t.Error("SetPermutation on an ungathered network: no error")
	}
	if err := plain.SetBatch(0); err == nil {
		t.Error("SetBatch on an ungathered network: no error")
	}
	if err := plain.SetUpdate(1, 0.1, 0, 1); err != nil {
		t.Errorf("SetUpdate on a resident network: %v", err)
	}
	host, err := New(Config{Layers: 1}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.SetUpdate(1, 0.1, 0, 1); err == nil {
		t.Error("SetUpdate on a host network: no error")
	}
	if err := plain.SetUpdate(1, -1, 0, 1); err == nil {
		t.Error("SetUpdate with a negative rate: no error")
	}
	if err := plain.SetUpdate(1, 0.1, 2, 2); err == nil {
		t.Error("SetUpdate with draw 2 of 2: no error")
	}
	g, err := NewGathered(Config{Layers: 1, Resident: true}, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetPermutation([]int{0, 1, 1, 3}); err == nil {
		t.Error("a repeated entry: no error")
	}
	if err := g.SetKLWeight(0.5); err == nil {
		t.Error("SetKLWeight without KLWeightInput: no error")
	}
}
