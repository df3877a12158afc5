package modelfile_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bbb-go/bbb/data"
	"github.com/bbb-go/bbb/graph"
	"github.com/bbb-go/bbb/modelfile"
	"github.com/bbb-go/bbb/train"
)

// Train a small network for a few epochs, save it, read it back and
// rebuild the network it describes.
func Example() {
	cfg := train.Config{Graph: graph.Config{Layers: 2, Hidden: 4}, Data: data.CurveConfig{N: 100}, Epochs: 3, ReportEvery: 3, Seed: 1}
	set, err := data.MakeCurve(cfg.Data, cfg.Seed)
	if err != nil {
		log.Fatal(err)
	}
	tr, err := train.NewTrainer(cfg, set)
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	reports, err := tr.Run(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	// The model: the network as configured (its defaults filled in), the seed.
	f, err := tr.Checkpoint(modelfile.Model{Network: modelfile.NetworkOf(cfg.Graph.WithDefaults()), Seed: cfg.Seed}, reports)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "modelfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.npz")
	if err := modelfile.Write(path, f); err != nil {
		log.Fatal(err)
	}

	g, err := modelfile.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	m := g.Model.Network
	fmt.Printf("version %d, epoch %d, seed %d\n", g.Version, g.Model.Epoch, g.Model.Seed)
	fmt.Printf("%d layers of %d, %d input, prior %s N(0, %g), KL %s, likelihood %s (sigma %g), %s\n",
		m.Layers, m.Hidden, m.Inputs, m.Prior.Kind, m.Prior.Sigma, m.KL, m.Likelihood, m.LikelihoodSigma, m.Dtype)
	fmt.Println("parameters:", g.Params)
	// Config checks the description against the arrays before anything
	// is built (0: the memory available is not known).
	c, err := g.Config(0)
	if err != nil {
		log.Fatal(err)
	}
	net, err := graph.New(c, 1)
	if err != nil {
		log.Fatal(err)
	}
	if err := g.SetParams(net); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rebuilt:", len(net.Learnables()), "parameter arrays")
	// Output:
	// version 3, epoch 3, seed 1
	// 2 layers of 4, 1 input, prior normal N(0, 1), KL mc, likelihood fixed (sigma 0.1), float32
	// parameters: [w_mu0 w_rho0 b_mu0 b_rho0 w_mu1 w_rho1 b_mu1 b_rho1]
	// rebuilt: 8 parameter arrays
}
