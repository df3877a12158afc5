package job

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/memory"
	"github.com/bbb-go/bbb/modelfile"
)

// CheckModel refuses a classifier, input names that do not match the
// inputs, and an input named as a predictions column.
func TestPredictSettingsCheckModel(t *testing.T) {
	p := PredictSettings{Model: "m.npz"}
	qs := []float64{0.05, 0.95}
	for _, c := range []struct {
		m    modelfile.Model
		want string
	}{
		{modelfile.Model{Network: modelfile.Network{Inputs: 2}, XNames: []string{"a", "b"}}, ""},
		{modelfile.Model{Network: modelfile.Network{Inputs: 784, Task: "classification"}}, "<Model> m.npz: a classification model: predict samples regression models (for an MNIST model: bbb prune)"},
		{modelfile.Model{Network: modelfile.Network{Inputs: 2}, XNames: []string{"a"}}, "<Model> m.npz: 1 input names for 2 inputs"},
		{modelfile.Model{Network: modelfile.Network{Inputs: 1}, XNames: []string{"q0.95"}}, "<Model> m.npz: "},
	} {
		got := settingText(t, p.CheckModel(&modelfile.File{Model: c.m}, qs))
		if c.want == "<Model> m.npz: " {
			if !strings.HasPrefix(got, c.want+"input column") || !strings.HasSuffix(got, "; give other <Quantiles>, or train with the column renamed") {
				t.Errorf("an input named q0.95: %s", got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// ReadInputs reads the model's columns and names a bad file or a row far
// from the training data by its line.
func TestPredictSettingsReadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	c := &modelfile.File{Model: modelfile.Model{Network: modelfile.Network{Inputs: 1}, XNames: []string{"x"},
		Scaler: &data.Scaler{XMean: []float64{0}, XStd: []float64{1}, YMean: 0, YStd: 1}}}
	good := write("good.csv", "y,x\n1,0.5\n2,-1\n")
	tab, err := PredictSettings{Data: good}.ReadInputs(c)
	if err != nil || tab.Rows() != 2 || tab.X[1] != -1 {
		t.Errorf("good: %v rows, %v", tab.Rows(), err)
	}
	noX := write("nox.csv", "y,z\n1,2\n")
	if _, err := (PredictSettings{Data: noX}).ReadInputs(c); !strings.HasPrefix(settingText(t, err), "<Data>: ") {
		t.Errorf("no column x: %s", settingText(t, err))
	}
	far := write("far.csv", "x\n0\n1e12\n")
	if _, err := (PredictSettings{Data: far}).ReadInputs(c); !strings.HasPrefix(settingText(t, err), "<Data> "+far+":3: ") {
		t.Errorf("far row: %s", settingText(t, err))
	}
}

// MemorySizes sizes predicting by the model's network and the data's
// rows, each named by where it comes from.
func TestPredictSettingsMemorySizes(t *testing.T) {
	p := PredictSettings{Model: "m.npz", Data: "x.csv", Samples: 50, Workers: 3}
	c := &modelfile.File{Model: modelfile.Model{Network: modelfile.Network{Inputs: 2}}}
	m := DefaultModelSettings()
	m.Hidden, m.Layers, m.Dtype = 30, 4, "float64"
	csv := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(csv, []byte("a,b\n1,2\n1,2\n1,2\n1,2\n1,2\n1,2\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err := data.ReadCSV(csv, data.CSVColumns{XCols: []string{"a", "b"}, NoTarget: true})
	if err != nil {
		t.Fatal(err)
	}
	s := p.MemorySizes(c, &m, tab, []float64{0.1, 0.9})
	if s.Job != memory.Predict || s.Points != 7 || s.Hidden != 30 || s.Layers != 4 || s.Samples != 50 || s.Workers != 3 || s.Levels != 2 || s.Inputs != 2 || s.DtypeBytes != 8 {
		t.Errorf("sizes %+v", s)
	}
	if s.PointsFrom != "--data x.csv (7 rows)" || s.InputsFrom != "--model m.npz (2 inputs)" || s.HiddenFrom != "--model m.npz (hidden 30)" || s.LayersFrom != "--model m.npz (4 layers)" {
		t.Errorf("named %q %q %q %q", s.PointsFrom, s.InputsFrom, s.HiddenFrom, s.LayersFrom)
	}
}
