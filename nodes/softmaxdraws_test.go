package nodes

import (
	"errors"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SoftmaxDraws against numbers worked on paper: two draws of two rows of
// two classes. Row 0: draw 0 logits (0, 0) give (1/2, 1/2), draw 1 (ln 3,
// 0) gives (3/4, 1/4); the sum (5/4, 3/4). Row 1: draw 0 (1000, 0) gives
// (1, e^-1000, which is 0 in floating point), draw 1 (0, ln 3) gives
// (1/4, 3/4); the sum (5/4, 3/4).
func TestSoftmaxDrawsByHand(t *testing.T) {
	z := []float64{
		0, 0, // draw 0, row 0
		1000, 0, // draw 0, row 1
		math.Log(3), 0, // draw 1, row 0
		0, math.Log(3), // draw 1, row 1
	}
	want := []float64{
		1.25, 0.75, 1.25, 0.75, // the sums over the draws
		0.5, 0.5, 1, 0, // draw 0
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			tol := 1e-15
			if dt == tensor.Float32 {
				tol = 1e-7
			}
			g := G.NewGraph()
			out, err := SoftmaxDraws(dtInput(g, "z", dt, z, 2, 2, 2))
			if err != nil {
				t.Fatal(err)
			}
			if s := out.Shape(); !s.Eq(tensor.Shape{2, 2, 2}) {
				t.Fatalf("shape %v, want (2, 2, 2)", s)
			}
			var v G.Value
			G.Read(out, &v)
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			for run := 0; run < 2; run++ { // a second run reuses the buffer
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				if v.Dtype() != dt {
					t.Fatalf("dtype %v, want %v", v.Dtype(), dt)
				}
				closeAll(t, "SoftmaxDraws", floats(v.(*tensor.Dense)), want, tol)
				vm.Reset()
			}
		})
	}
}

// Many draws and classes against LogSoftmax, row by row.
func TestSoftmaxDrawsMatchesLogSoftmax(t *testing.T) {
	const draws, rows, k = 5, 3, 4
	z := seq(draws*rows*k, func(i int) float64 { return 3 * math.Sin(1.3*float64(i)+0.2) })
	got := softmaxDraws(z, draws, rows, k)
	want := make([]float64, 2*rows*k)
	for d := range draws {
		for r := range rows {
			lp := LogSoftmax(z[(d*rows+r)*k:(d*rows+r+1)*k], k, make([]float64, k))
			for j, l := range lp {
				want[r*k+j] += math.Exp(l)
				if d == 0 {
					want[(rows+r)*k+j] = math.Exp(l)
				}
			}
		}
	}
	closeAll(t, "softmaxDraws", got, want, 1e-15)
	for r := range rows { // each draw's probabilities sum to 1
		var s, f float64
		for j := range k {
			s, f = s+got[r*k+j], f+got[(rows+r)*k+j]
		}
		if math.Abs(s-draws) > 1e-12 || math.Abs(f-1) > 1e-12 {
			t.Errorf("row %d: the draws' probabilities sum to %v (want %d), draw 0's to %v", r, s, draws, f)
		}
	}
}

func TestSoftmaxDrawsRefuses(t *testing.T) {
	g := G.NewGraph()
	for _, c := range []struct {
		name string
		z    *G.Node
		want error
	}{
		{"two dims", dtInput(g, "z2", tensor.Float64, make([]float64, 6), 3, 2), ErrShape},
		{"one class", dtInput(g, "z1", tensor.Float64, make([]float64, 6), 2, 3, 1), ErrShape},
		{"int", G.NodeFromAny(g, tensor.New(tensor.WithShape(2, 2, 2), tensor.WithBacking(make([]int, 8))), G.WithName("zi")), ErrDtype},
	} {
		if _, err := SoftmaxDraws(c.z); !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := (&softmaxDrawsOp{residentBase: residentBase{opBase{"SoftmaxDraws"}, 3}}).Do(); err == nil {
		t.Error("Do with no input: no error")
	}
}
