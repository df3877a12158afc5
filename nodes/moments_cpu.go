//go:build !cuda

package nodes

// readBack: on the CPU the host tensors are the store. s.mu is held.
func (s *ParamStore) readBack() error { return nil }

// momentsSet: on the CPU the next update reads the host moments. s.mu is held.
func (s *ParamStore) momentsSet(int) {}
