package modelfile

import "testing"

// ReportEvery: recorded, or read from an older file's reports when they
// are the multiples of the first (the last may be the final epoch).
func TestReportEvery(t *testing.T) {
	for _, c := range []struct {
		recorded, epoch int
		reports         []int
		want            int
	}{
		{7, 20, []int{5, 10, 15, 20}, 7},
		{0, 20, []int{5, 10, 15, 20}, 5},
		{0, 22, []int{5, 10, 15, 20, 22}, 5},
		{0, 20, []int{20}, 0},
		{0, 20, nil, 0},
		{0, 20, []int{5, 10, 20}, 0},
		{0, 30, []int{5, 10, 15, 20}, 5},
		{0, 23, []int{5, 10, 15, 23}, 0},
		{0, 12, []int{5, 10, 12}, 5},
		{0, 9, []int{5, 9}, 5},
	} {
		f := &File{Model: Model{ReportEvery: c.recorded, Epoch: c.epoch}}
		for _, e := range c.reports {
			f.Reports = append(f.Reports, Report{Epoch: e})
		}
		if got := f.ReportEvery(); got != c.want {
			t.Errorf("recorded %d, epoch %d, reports %v: %d, want %d", c.recorded, c.epoch, c.reports, got, c.want)
		}
	}
}
