package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFitted(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a,b,y\n")
	for i := range 20 {
		fmt.Fprintf(&b, "%d,%d,%d\n", i, 2*i, 3*i+1)
	}
	path := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := CSVData{Train: path, ValFraction: 0.25}
	f, err := LoadFitted(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	raw, tab, err := LoadCSV(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if f.Inputs() != 2 || f.Rows() != 20 || f.Table.YName != tab.YName || f.Raw.Train.Len() != raw.Train.Len() {
		t.Errorf("LoadFitted: %d inputs, %d rows, target %q, %d training rows; want 2, 20, %q, %d",
			f.Inputs(), f.Rows(), f.Table.YName, f.Raw.Train.Len(), tab.YName, raw.Train.Len())
	}
	if want := FitScaler(raw.Train); !SameScaler(&f.Scaler, &want) {
		t.Errorf("LoadFitted's scaler %+v, want the training rows' %+v", f.Scaler, want)
	}
	if want, _ := FileSHA256(path); f.TrainSHA256 != want || len(want) != 64 || f.ValSHA256 != "" {
		t.Errorf("LoadFitted's digests %q, %q; want the file's %q and none", f.TrainSHA256, f.ValSHA256, want)
	}
	val := filepath.Join(dir, "v.csv")
	if err := os.WriteFile(val, []byte("a,b,y\n1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if g, err := LoadFitted(CSVData{Train: path, Val: val}, 1); err != nil || g.TrainSHA256 != f.TrainSHA256 || g.ValSHA256 == "" || g.ValSHA256 == f.TrainSHA256 {
		t.Errorf("with a validation file: %v, digests %q, %q", err, g.TrainSHA256, g.ValSHA256)
	}
	_, err = LoadFitted(CSVData{Train: filepath.Join(dir, "none.csv")}, 1)
	if _, _, want := LoadCSV(CSVData{Train: filepath.Join(dir, "none.csv")}, 1); err == nil || err.Error() != want.Error() {
		t.Errorf("LoadFitted of a missing file: %v, want LoadCSV's %v", err, want)
	}
	var se *ScaleError
	if errors.As(err, &se) {
		t.Errorf("a missing file is a ScaleError: %v", err)
	}
}
