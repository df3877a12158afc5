package job

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRows writes a CSV file of header and n rows of row(i) in dir.
func writeRows(t *testing.T, dir, name, header string, n int, row func(i int) string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := range n {
		b.WriteString(row(i) + "\n")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDataSettingsCheck(t *testing.T) {
	for _, c := range []struct {
		split float64
		want  string
	}{{0.2, ""}, {0, "<ValSplit> 0: need 0 < f < 1"}, {1, "<ValSplit> 1: need 0 < f < 1"}, {math.NaN(), "<ValSplit> NaN: need 0 < f < 1"}} {
		if got := settingText(t, DataSettings{ValSplit: c.split}.Check()); got != c.want {
			t.Errorf("%v: %q, want %q", c.split, got, c.want)
		}
	}
}

// Load names the file that failed (Data or Val) and the columns setting.
func TestDataSettingsLoad(t *testing.T) {
	dir := t.TempDir()
	good := writeRows(t, dir, "d.csv", "a,b,y", 40, func(i int) string { return fmt.Sprintf("%d,%d,%d", i, i%7, 2*i) })
	bad := writeRows(t, dir, "bad.csv", "a,b,y", 40, func(i int) string {
		if i == 3 {
			return "1,x,2"
		}
		return fmt.Sprintf("%d,%d,%d", i, i%5, i)
	})
	named := writeRows(t, dir, "named.csv", "a,mean,y", 40, func(i int) string { return fmt.Sprintf("%d,%d,%d", i, i%7, 2*i) })
	if f, err := (DataSettings{}).Load(1); f != nil || err != nil {
		t.Errorf("no Data: %v, %v; want nil, nil", f, err)
	}
	f, err := DataSettings{Data: good, XCols: "a, b", ValSplit: 0.25}.Load(1)
	if err != nil || f.Inputs() != 2 || f.Rows() != 40 {
		t.Fatalf("load: %v", err)
	}
	for _, c := range []struct {
		d    DataSettings
		want string // a prefix of the error's Text
	}{
		{DataSettings{Data: good, XCols: ",", ValSplit: 0.2}, `<XCols> ",": `},
		{DataSettings{Data: bad, ValSplit: 0.2}, "<Data>: " + bad + ":5:"},
		{DataSettings{Data: good, Val: bad, ValSplit: 0.2}, "<Val>: " + bad + ":5:"},
		{DataSettings{Data: filepath.Join(dir, "none.csv"), ValSplit: 0.2}, "<Data>: "},
		// An input named as a column of pred_val.csv's own would be there
		// twice.
		{DataSettings{Data: named, ValSplit: 0.2}, "<Data> " + named + `: input column "mean": the predictions name a column of their own so (mean, std_epistemic, std_total, q0.05, q0.5, q0.95); rename the column`},
		{DataSettings{Data: named, XCols: "a", ValSplit: 0.2}, ""},
	} {
		_, err := c.d.Load(1)
		if c.want == "" && err != nil {
			t.Errorf("%+v: %v", c.d, err)
		} else if got := settingText(t, err); c.want != "" && !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: %q, want it to start %q", c.d, got, c.want)
		}
	}
}
