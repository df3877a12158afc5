package graph

import (
	"fmt"
)

// NewGathered builds a resident training network whose X and Y hold a
// whole data set of dataRows rows, kept where the graph runs (on the GPU,
// device memory), and whose every run takes a minibatch of rows of them by
// a gather (nodes.ParamStore.Gather): row r of the batch is data row
// perm[start+r], with the permutation and start set per epoch and per step
// (SetPermutation, SetBatch). Set X and Y once (SetValues, then
// ReloadInputs); a step then copies no data. With Config.KLWeightInput the
// KL weight is a store scalar (SetKLWeight), set per step without a copy.
// With dataRows == rows it is New's network (no gather).
func NewGathered(cfg Config, dataRows, rows int) (*Network, error) {
	c := cfg.WithDefaults()
	if !c.Resident {
		return nil, fmt.Errorf("graph: NewGathered: a resident network only (Config.Resident)")
	}
	if rows < 1 || dataRows < rows {
		return nil, fmt.Errorf("graph: NewGathered: batches of %d rows from %d: need 1 <= rows <= data rows", rows, dataRows)
	}
	return build(c, rows, dataRows, true, 0)
}

// SetPermutation sets the order of a gathered network's rows (a
// permutation of 0..dataRows-1; the trainer's is the host's shuffle of the
// epoch); SetBatch(i) makes the next runs take minibatch i (rows
// i·Rows, ...). Both are nodes.ParamStore's.
func (n *Network) SetPermutation(perm []int) error {
	if !n.gathered {
		return fmt.Errorf("graph: SetPermutation: not a gathered network (NewGathered)")
	}
	return n.Store.SetPermutation(perm)
}

// SetBatch makes a gathered network's next runs take minibatch i of the
// permutation.
func (n *Network) SetBatch(i int) error {
	if !n.gathered {
		return fmt.Errorf("graph: SetBatch: not a gathered network (NewGathered)")
	}
	return n.Store.SetBatch(i * n.Rows)
}

// SetUpdate sets a resident network's Adam t and learning rate for the
// next runs (a learning-rate schedule; several draws or batches per epoch:
// t counts updates, not runs), and SetDraw which draw of how many the run
// is (Adam applies the mean of the draws' gradients at the last).
func (n *Network) SetUpdate(t uint64, lr float64, draw, draws int) error {
	if n.Store == nil {
		return fmt.Errorf("graph: SetUpdate: not a resident network")
	}
	if err := n.Store.SetUpdate(t, lr); err != nil {
		return err
	}
	return n.Store.SetDraw(draw, draws)
}
