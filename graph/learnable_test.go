package graph

import (
	"strings"
	"testing"
)

// Learnables by name: the nodes Learnables holds, for host and resident
// networks, and an error for a layer that is not there.
func TestLayerParamsByName(t *testing.T) {
	for _, resident := range []bool{false, true} {
		c := Config{Layers: 3, Hidden: 4, Resident: resident}
		n, err := New(c, 5)
		if err != nil {
			t.Fatal(err)
		}
		ls := n.Learnables()
		for i := range n.Layers {
			lp, err := n.LayerParams(i)
			if err != nil {
				t.Fatal(err)
			}
			for k, got := range []any{lp.WMu, lp.WRho, lp.BMu, lp.BRho} {
				if got != ls[4*i+k] {
					t.Errorf("resident %v: layer %d learnable %d is %v, want %v", resident, i, k, got, ls[4*i+k])
				}
			}
		}
		if _, err := n.LayerParams(3); err == nil || !strings.Contains(err.Error(), "no learnable w_mu3") {
			t.Errorf("resident %v: layer 3 of 3: %v", resident, err)
		}
		if n.Learnable("w_rho1") != ls[5] || n.Learnable("nothing") != nil {
			t.Errorf("resident %v: Learnable by name", resident)
		}
	}
}
