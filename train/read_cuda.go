//go:build cuda

package train

import (
	G "gorgonia.org/gorgonia"

	"github.com/bbb-go/bbb/nodes"
)

// readable is the node to G.Read for n: in the CUDA build, a host copy, so
// that Read never sees a value in GPU memory.
func readable(n *G.Node) *G.Node {
	h, err := nodes.Host(n)
	if err != nil {
		panic(err) // Host accepts every node; an error is a programming error
	}
	return h
}
