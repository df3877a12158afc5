package data

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckNear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,0.5\n\n3,2e6\n1e7,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadCSV(path, CSVColumns{XCols: []string{"a", "b"}, NoTarget: true})
	if err != nil {
		t.Fatal(err)
	}
	// Without a scaler, the units are the data's own: 2e6 is 2e6 standard
	// deviations from 0, on line 4 (the empty line 3 counts).
	var fe *FarError
	if err := CheckNear(tab, nil); !errors.As(err, &fe) || *fe != (FarError{Line: 4, Column: "b", Value: 2e6, Z: 2e6}) {
		t.Errorf("no scaler: %v (%+v)", err, fe)
	} else if want := `line 4: column "b": 2e+06 lies 2e+06 standard deviations from the mean of the model's training inputs (at most 1e+06)`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	// A scaler of wide columns: all near but a, 1e7 from mean 0 at std 5.
	sc := &Scaler{XMean: []float64{0, 0}, XStd: []float64{5, 10}, YStd: 1}
	if err := CheckNear(tab, sc); !errors.As(err, &fe) || fe.Line != 5 || fe.Column != "a" || fe.Z != 2e6 {
		t.Errorf("scaled: %v", err)
	}
	sc.XStd[0] = 100
	if err := CheckNear(tab, sc); err != nil {
		t.Errorf("all near: %v", err)
	}
}
