package graph

import (
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
)

// The host and the resident graph are built by the same newLayer: their
// layers have the same variables and steps, under the same names; only the
// resident ops take rho themselves (no sigma node).
func TestOneBuilderSameLayers(t *testing.T) {
	host, err := New(Config{Layers: 3, Hidden: 4}, 5)
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(Config{Layers: 3, Hidden: 4, Resident: true}, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range host.Layers {
		h, r := host.Layers[i], res.Layers[i]
		for k, pair := range [][2]*G.Node{
			{h.WMu, r.WMu}, {h.WRho, r.WRho}, {h.WEps, r.WEps}, {h.BMu, r.BMu}, {h.BRho, r.BRho}, {h.BEps, r.BEps},
			{h.W, r.W}, {h.B, r.B}, {h.KL, r.KL},
		} {
			if pair[0] == nil || pair[1] == nil || pair[0].Name() != pair[1].Name() {
				t.Errorf("layer %d node %d: host %v, resident %v", i, k, pair[0], pair[1])
			}
		}
		if h.WSigma == nil || h.BSigma == nil || r.WSigma != nil || r.BSigma != nil {
			t.Errorf("layer %d: sigma nodes host %v %v, resident %v %v (want only the host's)", i, h.WSigma, h.BSigma, r.WSigma, r.BSigma)
		}
	}
	if p, q := host.Learnables(), res.Learnables(); len(p) != len(q) {
		t.Fatalf("%d host learnables, %d resident", len(p), len(q))
	} else {
		for i := range p {
			if p[i].Name() != q[i].Name() || !p[i].Shape().Eq(q[i].Shape()) {
				t.Errorf("learnable %d: host %s %v, resident %s %v", i, p[i].Name(), p[i].Shape(), q[i].Name(), q[i].Shape())
			}
		}
	}
}

// A predictive network has no KL and samples weights (no local
// reparameterisation): its backend refuses both. The first error stops the
// layer (no op runs on a nil node).
func TestBackendRefusals(t *testing.T) {
	local := Config{Layers: 2, Hidden: 3, Resident: true, Estimator: LocalReparam, KL: KLClosed}.WithDefaults()
	p, err := NewPredictive(Config{Layers: 2, Hidden: 3}, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newLayer(p.backend(nil), p.Config, 0, p.X, true); err == nil || !strings.Contains(err.Error(), "no KL") {
		t.Errorf("predictive layer with KL: %v, want a refusal", err)
	}
	if _, err := newLayer(p.backend(nil), local, 0, p.X, false); !errors.Is(err, errPredictiveLocal) {
		t.Errorf("predictive local layer: %v, want %v", err, errPredictiveLocal)
	}
}
