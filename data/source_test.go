package data

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Each Source's Load is its loader's Set, errors included.
func TestSourcesLoadAsTheirLoaders(t *testing.T) {
	curve := CurveConfig{N: 50}
	want, err := MakeCurve(curve, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Source(curve).Load(3); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CurveConfig.Load: %v, not MakeCurve's set", err)
	}
	if _, err := Source(CurveConfig{N: 2}).Load(3); err == nil || !strings.Contains(err.Error(), "data points 2") {
		t.Errorf("CurveConfig{N: 2}.Load: %v, want MakeCurve's error", err)
	}

	p := filepath.Join(t.TempDir(), "d.csv")
	os.WriteFile(p, []byte("x,y\n"+strings.Repeat("1,2\n3,5\n", 10)), 0o644)
	files := CSVData{Train: p, ValFraction: 0.25}
	wantCSV, _, err := LoadCSV(files, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Source(files).Load(4); err != nil || !reflect.DeepEqual(got, wantCSV) {
		t.Errorf("CSVData.Load: %v, not LoadCSV's set", err)
	}
	if _, err := Source(CSVData{Train: p + ".none"}).Load(4); err == nil || !strings.Contains(err.Error(), "none: ") {
		t.Errorf("CSVData.Load of a missing file: %v, want LoadCSV's error", err)
	}

	mc := MNISTConfig{Train: 20, Val: 10, TestRows: 1}
	wantMNIST, err := LoadMNIST(mc)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Source(mc).Load(9); err != nil || !reflect.DeepEqual(got, wantMNIST.Set) {
		t.Errorf("MNISTConfig.Load: %v, not LoadMNIST's training and validation images", err)
	}
	if _, err := Source(MNISTConfig{Train: -1}).Load(9); err == nil || !strings.Contains(err.Error(), "need values >= 0") {
		t.Errorf("MNISTConfig{Train: -1}.Load: %v, want LoadMNIST's error", err)
	}
}
