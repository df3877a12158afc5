package job

import (
	"strconv"
	"strings"
	"testing"
)

// Config carries the counts; a folder without the idx files is refused
// by CheckFiles and Load as a setting of Dir.
func TestMNISTSettingsFiles(t *testing.T) {
	dir := t.TempDir()
	s := MNISTSettings{Dir: dir, MNISTTest: 7}
	tr := MNISTTraining{MNISTTrain: 5, MNISTVal: 6}
	if c := s.Config(tr); c.Dir != dir || c.Train != 5 || c.Val != 6 || c.TestRows != 7 {
		t.Errorf("config %+v", c)
	}
	want := "<Dir> " + strconv.Quote(dir) + ": "
	if got := settingText(t, s.CheckFiles()); !strings.HasPrefix(got, want) || !strings.Contains(got, "train-images-idx3-ubyte.gz") {
		t.Errorf("CheckFiles: %s", got)
	}
	if _, err := s.Load(tr); !strings.HasPrefix(settingText(t, err), want) {
		t.Errorf("Load: %s", settingText(t, err))
	}
}
