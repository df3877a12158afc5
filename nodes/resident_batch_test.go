package nodes

import (
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stepNode is a store graph's step input.
func stepNode(g *G.ExprGraph, dt tensor.Dtype) *G.Node {
	return G.NewVector(g, dt, G.WithShape(1), G.WithName("step"), G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(1))))
}

// storeFloats is v (a tensor or a scalar)'s data as float64s.
func storeFloats(t *testing.T, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	t.Fatalf("value %T", v.Data())
	return nil
}

func denseOf(dt tensor.Dtype, shape []int, vals ...float64) *tensor.Dense {
	d := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	for i, v := range vals {
		if dt == tensor.Float32 {
			d.Data().([]float32)[i] = float32(v)
		} else {
			d.Data().([]float64)[i] = v
		}
	}
	return d
}

// Gather takes the rows perm[start], perm[start+1], ... of the stored
// data (at first the identity), for every Gather of the store, and refuses
// a batch past the data.
func TestGatherRows(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		s, err := NewParamStore(dt, 1, AdamConfig{})
		if err != nil {
			t.Fatal(err)
		}
		g := G.NewGraph()
		step := stepNode(g, dt)
		x := denseOf(dt, []int{5, 2}, 0, 1, 10, 11, 20, 21, 30, 31, 40, 41)
		y := denseOf(dt, []int{5, 1}, 0, 1, 2, 3, 4)
		gx, err := s.Gather(step, "xb", x, 2)
		if err != nil {
			t.Fatal(err)
		}
		gy, err := s.Gather(step, "yb", y, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !gx.Shape().Eq(tensor.Shape{2, 2}) || !gy.Shape().Eq(tensor.Shape{2, 1}) {
			t.Fatalf("shapes %v %v", gx.Shape(), gy.Shape())
		}
		var vx, vy G.Value
		G.Read(gx, &vx)
		G.Read(gy, &vy)
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		run := func() ([]float64, []float64, error) {
			defer vm.Reset()
			if err := vm.RunAll(); err != nil {
				return nil, nil, err
			}
			return storeFloats(t, vx), storeFloats(t, vy), nil
		}
		if p := s.Permutation(); !slices.Equal(p, []int{0, 1, 2, 3, 4}) {
			t.Errorf("%v: the first permutation %v, want the identity", dt, p)
		}
		for _, c := range []struct {
			perm   []int
			start  int
			wx, wy []float64
		}{
			{nil, 0, []float64{0, 1, 10, 11}, []float64{0, 1}},
			{nil, 3, []float64{30, 31, 40, 41}, []float64{3, 4}},
			{[]int{4, 2, 0, 3, 1}, 0, []float64{40, 41, 20, 21}, []float64{4, 2}},
			{[]int{4, 2, 0, 3, 1}, 2, []float64{0, 1, 30, 31}, []float64{0, 3}},
			{[]int{1, 0, 3, 4, 2}, 3, []float64{40, 41, 20, 21}, []float64{4, 2}},
		} {
			if c.perm != nil {
				if err := s.SetPermutation(c.perm); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.SetBatch(c.start); err != nil {
				t.Fatal(err)
			}
			if c.perm != nil && !slices.Equal(s.Permutation(), c.perm) {
				t.Errorf("%v: Permutation %v, want %v", dt, s.Permutation(), c.perm)
			}
			gotX, gotY, err := run()
			if err != nil {
				t.Fatal(err)
			}
			if !equal(gotX, c.wx) || !equal(gotY, c.wy) {
				t.Errorf("%v perm %v from %d: x %v y %v, want %v %v", dt, c.perm, c.start, gotX, gotY, c.wx, c.wy)
			}
		}
		if err := s.SetBatch(4); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(); err == nil || !strings.Contains(err.Error(), "over the 5 rows") {
			t.Errorf("%v: a batch from entry 4: err %v", dt, err)
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Gather, SetPermutation and SetBatch refuse what they cannot do.
func TestGatherRefusals(t *testing.T) {
	dt := tensor.Float64
	s, _ := NewParamStore(dt, 1, AdamConfig{})
	g := G.NewGraph()
	step := stepNode(g, dt)
	if s.Permutation() != nil {
		t.Errorf("a store without a Gather: permutation %v", s.Permutation())
	}
	if err := s.SetPermutation([]int{0}); err == nil || !strings.Contains(err.Error(), "no Gather") {
		t.Errorf("SetPermutation before a Gather: err %v", err)
	}
	for _, c := range []struct {
		name string
		data *tensor.Dense
		rows int
	}{
		{"nil", nil, 1},
		{"float32", tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(3, 1)), 1},
		{"vector", tensor.New(tensor.Of(dt), tensor.WithShape(3)), 1},
		{"no rows", tensor.New(tensor.Of(dt), tensor.WithShape(3, 1)), 0},
		{"too many rows", tensor.New(tensor.Of(dt), tensor.WithShape(3, 1)), 4},
	} {
		if _, err := s.Gather(step, c.name, c.data, c.rows); err == nil {
			t.Errorf("Gather %s: no error", c.name)
		}
	}
	if _, err := s.Gather(step, "x", tensor.New(tensor.Of(dt), tensor.WithShape(3, 1)), 3); err != nil {
		t.Fatalf("a batch of all the rows: %v", err)
	}
	if _, err := s.Gather(step, "y", tensor.New(tensor.Of(dt), tensor.WithShape(4, 1)), 2); err == nil || !strings.Contains(err.Error(), "permutation 3") {
		t.Errorf("a Gather of other rows: err %v", err)
	}
	for _, p := range [][]int{{0, 1}, {0, 1, 2, 3}} {
		if err := s.SetPermutation(p); err == nil || !strings.Contains(err.Error(), "for 3 rows") {
			t.Errorf("SetPermutation(%v): err %v", p, err)
		}
	}
	for _, p := range [][]int{{0, 1, 3}, {0, -1, 2}, {0, 0, 2}} {
		if err := s.SetPermutation(p); err == nil || !strings.Contains(err.Error(), "not a permutation of 0..2") {
			t.Errorf("SetPermutation(%v): err %v", p, err)
		}
	}
	if err := s.SetPermutation([]int{2, 0, 1}); err != nil {
		t.Errorf("SetPermutation of 3: %v", err)
	}
	if !s.params[s.sched.perm-1].dirty {
		t.Error("SetPermutation did not mark the permutation for upload")
	}
	if err := s.SetBatch(-1); err == nil {
		t.Error("SetBatch(-1): no error")
	}
	if err := s.SetBatch(0); err != nil {
		t.Errorf("SetBatch(0): %v", err)
	}
}

// A Scalar node holds its first value, then what SetScalar sets.
func TestScalar(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		s, _ := NewParamStore(dt, 1, AdamConfig{})
		g := G.NewGraph()
		step := stepNode(g, dt)
		w, err := s.Scalar(step, "w", 0.25)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.Scalar(step, "u", 3)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Scalar(step, "w", 1); err == nil {
			t.Error("a second scalar w: no error")
		}
		if w.Name() != "w" || !w.IsScalar() || w.Dtype() != dt {
			t.Errorf("node %s %v %v", w.Name(), w.Shape(), w.Dtype())
		}
		var vw, vu G.Value
		G.Read(w, &vw)
		G.Read(u, &vu)
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		for _, v := range []float64{0.25, 0.5, 1.0 / 1024} {
			if v != 0.25 {
				if err := s.SetScalar("w", v); err != nil {
					t.Fatal(err)
				}
			}
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if vw.Dtype() != dt || vu.Dtype() != dt {
				t.Errorf("%v: scalars of %v and %v", dt, vw.Dtype(), vu.Dtype())
			}
			if got := storeFloats(t, vw); got[0] != v {
				t.Errorf("%v: scalar %v, want %v", dt, got[0], v)
			}
			if got := storeFloats(t, vu); got[0] != 3 {
				t.Errorf("%v: the other scalar %v, want 3", dt, got[0])
			}
			vm.Reset()
		}
		if err := s.SetScalar("nope", 1); err == nil {
			t.Error("SetScalar of an unknown name: no error")
		}
	}
}

// adamGraph is a store with one parameter p (2 elements) and its Adam
// update from a gradient input g.
func adamGraph(t *testing.T, dt tensor.Dtype, lr float64) (*ParamStore, *tensor.Dense, *G.Node, G.VM) {
	t.Helper()
	s, err := NewParamStore(dt, 1, AdamConfig{LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	step := stepNode(g, dt)
	host := denseOf(dt, []int{2}, 1, -2)
	p, err := s.Param(step, "p", host)
	if err != nil {
		t.Fatal(err)
	}
	grad := G.NewVector(g, dt, G.WithShape(2), G.WithName("g"), G.WithValue(tensor.New(tensor.Of(dt), tensor.WithShape(2))))
	if _, err := s.AdamUpdate(p, grad); err != nil {
		t.Fatal(err)
	}
	s.Adam = s.Adam.WithDefaults()
	vm := G.NewTapeMachine(g)
	t.Cleanup(func() { vm.Close() })
	return s, host, grad, vm
}

// firstAdam is one Adam update from zero moments at t with rate lr and
// gradient g: PyTorch's formula, written out.
func firstAdam(w, g, lr float64, t uint64) float64 {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	m, v := (1-b1)*g, (1-b2)*g*g
	mhat, vhat := m/(1-math.Pow(b1, float64(t))), v/(1-math.Pow(b2, float64(t)))
	return w - lr*mhat/(math.Sqrt(vhat)+eps)
}

// Adam's rate and t are the store's per step (SetUpdate; 0: Adam.LR and
// the step), and with several draws (SetDraw) the update waits for the
// last draw and applies the mean of the draws' gradients.
func TestAdamRateAndDraws(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		for _, c := range []struct {
			name  string
			t     uint64 // SetUpdate's t (0: the step)
			lr    float64
			step  uint64
			grads [][]float64 // one per draw
			wantT uint64
			want  float64 // the rate used
		}{
			{"defaults", 0, 0, 3, [][]float64{{0.5, -0.25}}, 3, 0.01},
			{"rate", 0, 0.2, 1, [][]float64{{0.5, -0.25}}, 1, 0.2},
			{"t", 7, 0, 2, [][]float64{{0.5, -0.25}}, 7, 0.01},
			{"two draws", 1, 0.05, 4, [][]float64{{0.5, -0.25}, {-0.1, 0.75}}, 1, 0.05},
			{"three draws", 2, 0, 9, [][]float64{{0.5, -0.25}, {0.1, 0.75}, {0.3, -0.2}}, 2, 0.01},
		} {
			s, host, grad, vm := adamGraph(t, dt, 0.01)
			s.SetStep(c.step)
			if err := s.SetUpdate(c.t, c.lr); err != nil {
				t.Fatal(err)
			}
			mean := make([]float64, 2)
			for k, gk := range c.grads {
				if err := s.SetDraw(k, len(c.grads)); err != nil {
					t.Fatal(err)
				}
				gd := denseOf(dt, []int{2}, gk...)
				if err := tensor.Copy(grad.Value().(*tensor.Dense), gd); err != nil {
					t.Fatal(err)
				}
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				vm.Reset()
				got := storeFloats(t, host)
				for j := range mean {
					mean[j] += gk[j] / float64(len(c.grads))
				}
				if k < len(c.grads)-1 && (got[0] != 1 || got[1] != -2) {
					t.Errorf("%v %s: draw %d of %d updated p to %v", dt, c.name, k, len(c.grads), got)
				}
			}
			got := storeFloats(t, host)
			for j, w0 := range []float64{1, -2} {
				want := firstAdam(w0, mean[j], c.want, c.wantT)
				if !(math.Abs(got[j]-want) <= tol*(1+math.Abs(want))) {
					t.Errorf("%v %s: p[%d] %v, want %v", dt, c.name, j, got[j], want)
				}
			}
		}
	}
}

// SetUpdate and SetDraw refuse a rate or a draw that cannot be.
func TestSetUpdateRefusals(t *testing.T) {
	s, _ := NewParamStore(tensor.Float64, 1, AdamConfig{})
	for _, lr := range []float64{-0.1, math.NaN(), math.Inf(1)} {
		if err := s.SetUpdate(1, lr); err == nil {
			t.Errorf("SetUpdate rate %v: no error", lr)
		}
	}
	if err := s.SetUpdate(1, 0); err != nil {
		t.Errorf("SetUpdate rate 0 (Adam.LR): %v", err)
	}
	for _, d := range [][2]int{{0, 0}, {-1, 2}, {2, 2}} {
		if err := s.SetDraw(d[0], d[1]); err == nil {
			t.Errorf("SetDraw(%d, %d): no error", d[0], d[1])
		}
	}
	if err := s.SetDraw(1, 2); err != nil {
		t.Errorf("SetDraw(1, 2): %v", err)
	}
}

// Gather takes up to maxGatherRows rows (float32 holds every index below
// 2^24 exactly), not one more.
func TestGatherMostRows(t *testing.T) {
	if maxGatherRows != 1<<24 {
		t.Fatalf("maxGatherRows %d", maxGatherRows)
	}
	dt := tensor.Float32
	for _, c := range []struct {
		n  int
		ok bool
	}{{maxGatherRows, true}, {maxGatherRows + 1, false}} {
		s, _ := NewParamStore(dt, 1, AdamConfig{})
		step := stepNode(G.NewGraph(), dt)
		_, err := s.Gather(step, "x", tensor.New(tensor.Of(dt), tensor.WithShape(c.n, 1)), 1)
		if (err == nil) != c.ok {
			t.Errorf("%d rows: err %v", c.n, err)
		}
	}
}
