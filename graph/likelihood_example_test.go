package graph_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/bbb-go/bbb/graph"
)

// studentT is a likelihood this project does not define: Student's t of Nu
// degrees of freedom around the network's output, of fixed scale S,
//
//	log p(y | mu) = lgamma((nu+1)/2) - lgamma(nu/2) - log(S·sqrt(nu·pi))
//	                - (nu+1)/2 · log(1 + ((y - mu)/S)² / nu),
//
// heavier-tailed than the Gaussian, so outliers pull the fit less. It has
// no learnables (graph.NoLearnables gives it AddLearnables and
// InitLearnables); LogLik composes Gorgonia's own ops, whose gradients come
// with them.
type studentT struct {
	graph.NoLearnables
	Nu, S float64
}

func (l studentT) String() string { return fmt.Sprintf("student-t:%g,%g", l.Nu, l.S) }

func (l studentT) Validate() error {
	if !(l.Nu > 0) || !(l.S > 0) || math.IsInf(l.Nu, 0) || math.IsInf(l.S, 0) {
		return fmt.Errorf("studentT{Nu: %v, S: %v}: need 0 < nu, s < inf", l.Nu, l.S)
	}
	return nil
}

// Outputs is 1: the network outputs the location only.
func (studentT) Outputs() int { return 1 }

func (l studentT) LogLik(n *graph.Network, y *G.Node) (*G.Node, error) {
	c := func(v float64) *G.Node {
		if y.Dtype() == tensor.Float32 {
			return G.NewConstant(float32(v))
		}
		return G.NewConstant(v)
	}
	d, err := G.Sub(y, n.Output)
	if err != nil {
		return nil, err
	}
	if d, err = G.Mul(d, c(1/l.S)); err != nil {
		return nil, err
	}
	if d, err = G.Square(d); err != nil {
		return nil, err
	}
	if d, err = G.Mul(d, c(1/l.Nu)); err != nil {
		return nil, err
	}
	if d, err = G.Log1p(d); err != nil {
		return nil, err
	}
	s, err := G.Sum(d)
	if err != nil {
		return nil, err
	}
	if s, err = G.Mul(s, c(-(l.Nu+1)/2)); err != nil {
		return nil, err
	}
	a, _ := math.Lgamma((l.Nu + 1) / 2)
	b, _ := math.Lgamma(l.Nu / 2)
	perValue := a - b - math.Log(l.S*math.Sqrt(l.Nu*math.Pi))
	return G.Add(s, c(perValue*float64(y.Shape().TotalSize())))
}

// Noise is predictive sampling's Gaussian of the same spread: the t's
// standard deviation S·sqrt(nu/(nu-2)) for nu > 2, else S.
func (l studentT) Noise(*graph.Network) (graph.Noise, error) {
	sigma := l.S
	if l.Nu > 2 {
		sigma *= math.Sqrt(l.Nu / (l.Nu - 2))
	}
	return graph.Noise{Kind: l, Sigma: sigma}, nil
}

// A likelihood of one's own: any graph.Likelihood goes in Config.Likelihood
// (nil there is the seed's fixed Gaussian, graph.LikFixed). New reads its
// log-likelihood into the loss; the resident (GPU) graph (which needs a
// graph.ResidentLikelihood) and a classifier refuse it. (Train such a Config with train.Config{Graph: cfg}.)
func ExampleConfig_customLikelihood() {
	cfg := graph.Config{Layers: 2, Hidden: 8, Likelihood: studentT{Nu: 4, S: 0.5}}
	net, err := graph.New(cfg, 3)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	_ = graph.SetValues(net.X, []float64{-1, 0, 1})
	_ = graph.SetValues(net.Y, []float64{-6.2, 0, 6.2})
	_ = net.Init(rng)
	_ = net.FillEps(rng)
	if err := net.Differentiate(); err != nil {
		panic(err)
	}
	var nll G.Value
	G.Read(net.NLL, &nll)
	vm := G.NewTapeMachine(net.Graph)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		panic(err)
	}
	v, _ := graph.Scalar(nll)
	z, _ := net.Noise()
	fmt.Println("likelihood:", net.Config.Lik())
	fmt.Println("NLL finite:", !math.IsNaN(v) && !math.IsInf(v, 0))
	fmt.Printf("predictive noise: %.4f\n", z.Sigma)
	fmt.Println("learnables:", len(net.Learnables()), "(the layers' only)")

	cfg.Resident = true
	_, err = graph.New(cfg, 3)
	fmt.Println(err)
	_, err = graph.ParseLikelihood("student-t")
	fmt.Println(err)
	// Output:
	// likelihood: student-t:4,0.5
	// NLL finite: true
	// predictive noise: 0.7071
	// learnables: 8 (the layers' only)
	// graph: likelihood student-t:4,0.5: no resident form (a graph.ResidentLikelihood): the resident (GPU) graph cannot run it
	// graph: likelihood "student-t": want fixed, learned or hetero
}
