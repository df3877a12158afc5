package train

import (
	"context"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/data"
)

// A resident classifier (the paper's MNIST model: mixture prior,
// minibatches gathered on the device, the KL per minibatch) trains as the
// host one does, and the Classifier reads its pulled parameters into a
// host forward graph: the same seed gives the same class probabilities.
func TestResidentClassifierMatchesHost(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			cfg := blobConfig()
			cfg.Graph.Dtype, cfg.Epochs = dt, 6
			set := data.Set{Train: blobs(96, 1), Val: blobs(30, 2)}
			probs := func(resident bool) []float64 {
				c := cfg
				c.Graph.Resident = resident
				tr, err := NewTrainer(c, set)
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				if _, err := tr.Run(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
				cl, err := NewClassifier(tr.Net, set.Val.Len())
				if err != nil {
					t.Fatal(err)
				}
				defer cl.Close()
				mean, _, err := cl.Probs(tr.Net, set.Val.X, 4, 9)
				if err != nil {
					t.Fatal(err)
				}
				return mean
			}
			host, res := probs(false), probs(true)
			tol := 1e-9
			if dt == tensor.Float32 {
				tol = 2e-4
			}
			for i := range host {
				if !(math.Abs(host[i]-res[i]) <= tol) {
					t.Fatalf("probability %d: resident %v, host %v (tolerance %g)", i, res[i], host[i], tol)
				}
			}
		})
	}
}
