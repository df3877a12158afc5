//go:build !cuda

package nodes

// heldDev holds a held set's indices in GPU memory in the CUDA build.
type heldDev struct{}
