package job

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/bbb-go/bbb/modelfile"
)

// The classifier job on the resident graph (the CUDA build's; here its
// Go ops) trains as the host job does (train's TestResidentClassifierTrainsAsHost
// checks that exactly) and scores with other draws (Philox, K a run: train's
// TestResidentClassifierBatchedRuns): with 300 draws the two jobs' NLLs
// agree to Monte Carlo error. Its saved model starts a pruned resident run.
func TestClassificationResident(t *testing.T) {
	run := func(resident bool) (float64, float64, string) {
		j := blobJob()
		j.Train.Graph.Resident, j.Train.Batch.Size, j.Train.Samples = resident, 20, 300
		j.Save, j.NoFigures = filepath.Join(t.TempDir(), "c.npz"), true
		s, err := j.Run(context.Background(), t.TempDir(), nil)
		if err != nil {
			t.Fatalf("resident %v: %v", resident, err)
		}
		return s.TestNLL, s.ValNLL, j.Save
	}
	hostTest, hostVal, _ := run(false)
	resTest, resVal, saved := run(true)
	t.Logf("test NLL resident %v, host %v; validation NLL resident %v, host %v", resTest, hostTest, resVal, hostVal)
	if !(math.Abs(resTest-hostTest) <= 0.03*math.Abs(hostTest)) || !(math.Abs(resVal-hostVal) <= 0.03*math.Abs(hostVal)) {
		t.Errorf("test NLL resident %v, host %v; validation NLL resident %v, host %v", resTest, hostTest, resVal, hostVal)
	}
	from, err := modelfile.Read(saved)
	if err != nil {
		t.Fatal(err)
	}
	p := blobJob()
	p.Train.Graph.Resident = true
	p.From, p.FromFile, p.Prune, p.NoFigures = from, "c.npz", 0.5, true
	s, err := p.Run(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.PrunedWeights != 20 || !(s.TestNLL > 0) {
		t.Errorf("pruned resident run: %d weights pruned, test NLL %v", s.PrunedWeights, s.TestNLL)
	}
}
