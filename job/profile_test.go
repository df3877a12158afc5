package job

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartCPUProfile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name      string
		write     bool
		cancelled func() bool
		want      bool
	}{
		{"written", true, nil, true},
		{"not written", false, nil, false},
		{"cancelled", true, func() bool { return true }, false},
	} {
		path := filepath.Join(dir, tc.name+".prof")
		stop, err := StartCPUProfile(path, tc.cancelled)
		if err != nil {
			t.Fatal(err)
		}
		if err := stop(tc.write); err != nil {
			t.Fatal(err)
		}
		if err := stop(true); err != nil { // (the first call decides)
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if got := err == nil && st.Size() > 0; got != tc.want {
			t.Errorf("%s: a profile written %v, want %v", tc.name, got, tc.want)
		}
	}
}
