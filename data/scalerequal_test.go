package data

import "testing"

func TestSameScaler(t *testing.T) {
	a := &Scaler{XMean: []float64{1, 2}, XStd: []float64{3, 4}, YMean: 5, YStd: 6}
	same := &Scaler{XMean: []float64{1, 2}, XStd: []float64{3, 4}, YMean: 5, YStd: 6}
	for _, c := range []struct {
		name string
		b    *Scaler
		want bool
	}{
		{"same", same, true},
		{"x mean", &Scaler{XMean: []float64{1, 2.5}, XStd: []float64{3, 4}, YMean: 5, YStd: 6}, false},
		{"x std", &Scaler{XMean: []float64{1, 2}, XStd: []float64{3}, YMean: 5, YStd: 6}, false},
		{"y mean", &Scaler{XMean: []float64{1, 2}, XStd: []float64{3, 4}, YMean: 5.5, YStd: 6}, false},
		{"y std", &Scaler{XMean: []float64{1, 2}, XStd: []float64{3, 4}, YMean: 5, YStd: 7}, false},
		{"nil", nil, false},
	} {
		if got := SameScaler(a, c.b); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !SameScaler(nil, nil) || SameScaler(nil, a) {
		t.Error("nil scalers")
	}
}
