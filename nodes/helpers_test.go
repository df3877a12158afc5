package nodes

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// input makes a float64 input node of the given shape filled by f(i).
func input(g *G.ExprGraph, name string, shape []int, f func(i int) float64) *G.Node {
	n := 1
	for _, s := range shape {
		n *= s
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = f(i)
	}
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	return G.NodeFromAny(g, t, G.WithName(name))
}

// run evaluates node once on a fresh machine and returns its values.
func run(t *testing.T, g *G.ExprGraph, n *G.Node) []float64 {
	t.Helper()
	var v G.Value
	G.Read(n, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	switch d := v.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case float64:
		return []float64{d}
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case float32:
		return []float64{float64(d)}
	}
	t.Fatalf("unexpected value %T", v.Data())
	return nil
}

// checkGradient compares Gorgonia's symbolic gradient of the scalar cost
// with respect to each of wrt against a central finite difference.
func checkGradient(t *testing.T, g *G.ExprGraph, cost *G.Node, wrt G.Nodes, tol float64) {
	t.Helper()
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	var costV G.Value
	G.Read(cost, &costV)
	gv := make([]G.Value, len(grads))
	for i := range grads {
		G.Read(grads[i], &gv[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	eval := func() float64 {
		defer vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return costV.Data().(float64)
	}
	eval()
	analytic := make([][]float64, len(wrt))
	for i := range wrt {
		switch d := gv[i].Data().(type) {
		case []float64:
			analytic[i] = append([]float64(nil), d...)
		case float64:
			analytic[i] = []float64{d}
		}
	}
	for i, n := range wrt {
		x := n.Value().Data().([]float64)
		x0 := append([]float64(nil), x...)
		num := fd.Gradient(nil, func(p []float64) float64 {
			copy(x, p)
			return eval()
		}, x0, &fd.Settings{Formula: fd.Central, Step: 1e-6})
		copy(x, x0)
		for j := range num {
			if d := math.Abs(num[j] - analytic[i][j]); !(d <= tol*(1+math.Abs(num[j]))) { // NaN fails
				t.Errorf("d cost / d %s[%d]: symbolic %.9g, finite difference %.9g", n.Name(), j, analytic[i][j], num[j])
			}
		}
	}
}

func normals(seed uint64, mean, std float64) func(int) float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	return func(int) float64 { return mean + std*r.NormFloat64() }
}
