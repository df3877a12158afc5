package job

import (
	"slices"
	"testing"
)

// SummaryMetrics holds the numbers of both summaries, each once, and no
// text field.
func TestSummaryMetrics(t *testing.T) {
	ms := SummaryMetrics()
	for _, want := range []string{"epochs", "val_nlpd", "val_rmse_true", "test_error", "test_ece"} {
		if !slices.Contains(ms, want) {
			t.Errorf("no %s in %v", want, ms)
		}
	}
	for _, not := range []string{"preset", "dtype", ""} {
		if slices.Contains(ms, not) {
			t.Errorf("%q in %v", not, ms)
		}
	}
	for i, m := range ms {
		if slices.Contains(ms[i+1:], m) {
			t.Errorf("%s twice", m)
		}
	}
	if ms[0] != "seed" {
		t.Errorf("first %s, want seed (field order)", ms[0])
	}
}
