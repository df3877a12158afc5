package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A report `bbb bench` wrote reads back and writes out byte for byte: the
// JSON keys are bench.json's, build included.
func TestReadRoundTrip(t *testing.T) {
	for _, file := range []string{"testdata/gpu.json", "../docs/gpu-h200/bench_gpu.json", "../docs/gpu-h200/bench_cpu.json"} {
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Read(file)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var got bytes.Buffer
		enc := json.NewEncoder(&got)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: written back differs:\n%s", file, got.Bytes())
		}
	}
	// PyTorch's report: keys the package does not know are ignored.
	r, err := Read("testdata/torch.json")
	if err != nil || r.Device != "cuda" || len(r.Rows) != 2 || r.Rows[1].StepSecondsMedian != 0.0112 || r.Build != nil {
		t.Errorf("torch.json: %+v, %v", r, err)
	}
}

// Read refuses what the table and the figure cannot use, naming the field.
func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	row := `"points": 200, "hidden": 4, "layers": 1, "step_seconds_median": 0.01, "predict_seconds_per_pass": 0.01`
	for _, tc := range []struct{ name, body, want string }{
		{"no-device", `{"rows": [{` + row + `}]}`, `no "device"`},
		{"blank-device", `{"device": " ", "rows": [{` + row + `}]}`, `no "device"`},
		{"no-rows", `{"device": "cpu", "rows": []}`, "no rows"},
		{"zero-layers", `{"device": "cpu", "rows": [{` + strings.Replace(row, `"layers": 1`, `"layers": 0`, 1) + `}]}`, "rows[0].layers 0: need a size >= 1"},
		{"twice", `{"device": "cpu", "rows": [{` + row + `}, {` + row + `}]}`, "rows[1]: points 200, hidden 4, layers 1 again (rows[0] has them)"},
		{"zero-step", `{"device": "cpu", "rows": [{` + strings.Replace(row, `"step_seconds_median": 0.01`, `"step_seconds_median": 0`, 1) + `}]}`, "rows[0].step_seconds_median 0: need a time > 0"},
		{"negative-madds", `{"device": "cpu", "rows": [{` + row + `, "madds_per_epoch": -1}]}`, "rows[0].madds_per_epoch -1: need a finite value >= 0"},
		{"not-json", `{"device": `, "unexpected end of JSON input"},
	} {
		path := filepath.Join(dir, tc.name+".json")
		if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if r, err := Read(path); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %+v, error %v; want %q", tc.name, r, err, tc.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing.json")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxReportBytes+1); err != nil { // sparse where it can be
		t.Fatal(err)
	}
	if _, err := Read(big); err == nil {
		t.Error("a file over MaxReportBytes was read")
	}
	// Zero optional times are fine: files from before their keys.
	ok := Report{Device: "cpu", Rows: []Row{{Points: 200, Hidden: 4, Layers: 1, StepSecondsMedian: 0.01, PredictSecondsPass: 0.01}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("minimal report: %v", err)
	}
}

// MAdds: the seed's workload (16000 training rows, 5 layers of 20) by hand.
func TestMAdds(t *testing.T) {
	// layer 1: 2·16000·1·20; layers 2-4: 3·16000·20·20 each; layer 5: 3·16000·20·1.
	want := 2*16000*20.0 + 3*3*16000*400.0 + 3*16000*20.0
	if got := MAdds(20000, 20, 5); got != want {
		t.Errorf("MAdds(20000, 20, 5) = %v, want %v", got, want)
	}
	if got := MAdds(100, 7, 1); got != 2*80*1*1 { // one layer: 1 in, 1 out, no backward g·wᵀ
		t.Errorf("MAdds(100, 7, 1) = %v, want 160", got)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		sorted []float64
		want   float64
	}{{[]float64{3}, 3}, {[]float64{1, 2, 9}, 2}, {[]float64{1, 2, 4, 9}, 3}} {
		if got := Median(tc.sorted); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.sorted, got, tc.want)
		}
	}
}
