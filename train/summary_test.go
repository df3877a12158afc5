package train

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// summary.json round-trips every field under its stable key.
func TestWriteSummaryRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "summary.json")
	s := Summary{Preset: "quick", Dtype: "float64", Device: "cpu", Seed: 7, Epochs: 25, Samples: 12,
		ValRMSETrue: 0.125, ValCoverage90: 0.25, TrainCoverage90: 0.5, ValBandWidth: 1.5,
		Figures: []string{"a.png"}, TrainPoints: 400, ValPoints: 100, LearningRate: 0.02}
	if err := WriteSummary(p, s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Preset != s.Preset || back.Dtype != s.Dtype || back.Seed != 7 || back.Epochs != 25 || back.Samples != 12 ||
		back.ValRMSETrue != 0.125 || back.ValCoverage90 != 0.25 || back.TrainCoverage90 != 0.5 || back.ValBandWidth != 1.5 ||
		back.TrainPoints != 400 || back.ValPoints != 100 || back.LearningRate != 0.02 || len(back.Figures) != 1 {
		t.Errorf("round trip %+v", back)
	}
	for _, key := range []string{`"val_coverage90": 0.25`, `"train_coverage90": 0.5`, `"samples": 12`, `"dtype": "float64"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("summary.json lacks %s", key)
		}
	}
	if err := WriteSummary(filepath.Join(p, "sub", "x.json"), s); err == nil {
		t.Error("WriteSummary into a file's subdirectory gave no error")
	}
}

// losses.csv: a header, then epoch,train,val per report with 9 digits.
func TestWriteLossesFormat(t *testing.T) {
	p := filepath.Join(t.TempDir(), "losses.csv")
	if err := WriteLosses(p, []Report{{Epoch: 10, TrainLoss: 1.5, ValLoss: 2.25}, {Epoch: 25, TrainLoss: 1.0 / 3, ValLoss: -4e-10}}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if want := "epoch,train,val\n10,1.5,2.25\n25,0.333333333,-4e-10\n"; string(b) != want {
		t.Errorf("losses.csv %q, want %q", b, want)
	}
	if err := WriteLosses(p, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "epoch,train,val\n" {
		t.Errorf("no reports: %q", b)
	}
}
