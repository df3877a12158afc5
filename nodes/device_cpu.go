//go:build !cuda

package nodes

// onDevice is false in the CPU build: every op here runs its Do.
const onDevice = false

// deviceStore holds a ParamStore's GPU buffers in the CUDA build.
type deviceStore struct{ reload, reloadData bool }

// readLosses reads steps from..to of the loss log: on the CPU, the host ring.
func (s *ParamStore) readLosses(from, to uint64) ([]float64, error) {
	return s.hostLosses(from, to), nil
}
