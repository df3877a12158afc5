//go:build cuda

package main

import (
	"fmt"
	"sync"

	"gorgonia.org/cu"

	_ "github.com/bbb-go/bbb/internal/cudalib" // Gorgonia's CUDA kernels (PTX)
	"github.com/bbb-go/bbb/nodes"
)

// This is the CUDA build (bin/bbb-cuda): the graph runs on Gorgonia's CUDA
// VM, which puts every op with a CUDA kernel on device 0.
const (
	cudaBuild     = true
	defaultDevice = "gpu"
)

// checkDevice accepts only the GPU: the CPU run is bin/bbb's job.
func checkDevice(name string) error {
	switch name {
	case "gpu", "cuda":
		return nil
	case "cpu":
		return usagef("--device cpu: this is the CUDA build (bin/bbb-cuda); run bin/bbb for the CPU")
	}
	return usagef("--device %q: want gpu in the CUDA build", name)
}

var gpuNameOnce = sync.OnceValue(func() string {
	d, err := cu.GetDevice(0)
	if err != nil {
		return "unknown GPU (" + err.Error() + ")"
	}
	name, err := d.Name()
	if err != nil {
		return "unknown GPU (" + err.Error() + ")"
	}
	return name
})

// tf32 is --tf32: the CUDA machines' float32 products in TF32
// (nodes.SetTF32), said in the device name that summary.json and
// bench.json record.
var tf32 bool

func setTF32(on bool) error {
	tf32 = on
	nodes.SetTF32(on)
	return nil
}

// gemmBackend names what runs the graph's matrix products: cuBLAS (the
// host GEMM of internal/linalg serves only the CPU-side helpers here).
func gemmBackend() string { return "cublas" }

// deviceName describes where the graph runs.
func deviceName(string) (device, name string) {
	if tf32 {
		return "gpu", gpuNameOnce() + " (TF32 GEMMs)"
	}
	return "gpu", gpuNameOnce()
}

// cudaInfo is `bbb version`'s cuda line: the driver's CUDA version and
// device 0, or why there is no GPU. (Only `bbb version` gets past a failed
// cuInit, in the patched cu's init: scripts/cuda/cu-*.patch; without
// libcuda.so.1 at all, bin/bbb-cuda's launcher stops before the binary.)
func cudaInfo() string {
	if cu.InitError != nil {
		return fmt.Sprintf("no usable NVIDIA GPU: the CUDA driver did not initialise (cuInit: %v)", cu.InitError)
	}
	v := cu.Version() // 13000 is 13.0
	if v < 0 {
		return "driver version unknown; device 0: " + gpuNameOnce()
	}
	return fmt.Sprintf("driver %d.%d; device 0: %s", v/1000, v%1000/10, gpuNameOnce())
}
