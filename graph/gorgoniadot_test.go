package graph

import (
	"strings"
	"testing"
)

// Gorgonia's own drawing, gradients included, is the same text for the
// same graph built twice: its nodes named by their IDs (Node_n1, ...), its
// statements, which Gorgonia writes in map order, sorted, and no "%!s(NIL)".
func TestGorgoniaDOTReproducible(t *testing.T) {
	var dots []string
	for range 3 {
		n, err := New(Config{Layers: 3, Hidden: 3}, 4)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Differentiate(); err != nil {
			t.Fatal(err)
		}
		dots = append(dots, n.GorgoniaDOT())
	}
	d := dots[0]
	if d != dots[1] || d != dots[2] {
		t.Error("the same graph drew different DOT text")
	}
	if strings.Contains(d, "0x") || strings.Contains(d, "%!") || !strings.Contains(d, "Node_n1 ") || !strings.Contains(d, "style=dashed") {
		t.Errorf("DOT with addresses or format errors left, or without its numbered nodes and dashed edges:\n%.2000s", d)
	}
}

// DrawDOT is the network's forward drawing, or with grad Gorgonia's
// drawing of the differentiated graph; a bad config is its error.
func TestDrawDOT(t *testing.T) {
	c := Config{Layers: 2, Hidden: 3}
	n, err := New(c, 4)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := DrawDOT(c, 4, false); err != nil || d != n.DOT() {
		t.Errorf("forward drawing differs from the network's DOT (%v)", err)
	}
	if err := n.Differentiate(); err != nil {
		t.Fatal(err)
	}
	if d, err := DrawDOT(c, 4, true); err != nil || d != n.GorgoniaDOT() || !strings.Contains(d, "style=dashed") {
		t.Errorf("gradient drawing differs from the differentiated network's (%v)", err)
	}
	if _, err := DrawDOT(Config{Layers: -1}, 4, false); err == nil {
		t.Error("a config of -1 layers drew")
	}
}
