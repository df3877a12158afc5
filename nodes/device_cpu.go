//go:build !cuda

package nodes

// onDevice is false in the CPU build: every op here runs its Do.
const onDevice = false

// deviceStore holds a ParamStore's GPU buffers in the CUDA build.
type deviceStore struct{ reload, reloadData bool }

// lossRing is the loss log: on the CPU, the host ring itself.
func (s *ParamStore) lossRing() ([]float64, error) { return s.hostLossRing(), nil }
