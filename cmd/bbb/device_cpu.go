//go:build !cuda

package main

import "github.com/bbb-go/bbb/internal/linalg"

// This is the CPU build.
const (
	cudaBuild     = false
	defaultDevice = "cpu"
)

// checkDevice accepts only the CPU: this binary was built without CUDA.
func checkDevice(name string) error {
	switch name {
	case "cpu":
		return nil
	case "gpu", "cuda":
		return usagef("--device %s: this bbb was built without CUDA; build bin/bbb-cuda with 'make cuda' (see README, GPU section)", name)
	}
	return usagef("--device %q: want cpu (or gpu in the CUDA build)", name)
}

// setTF32 refuses --tf32: TF32 GEMMs are an NVIDIA GPU's.
func setTF32(on bool) error {
	if on {
		return usagef("--tf32: TF32 GEMMs run on an NVIDIA GPU; this bbb was built without CUDA; build bin/bbb-cuda with 'make cuda' (see README, GPU section)")
	}
	return nil
}

// deviceName describes where the graph runs.
func deviceName(string) (device, name string) { return "cpu", cpuName() }

// gemmBackend names what runs the graph's matrix products.
func gemmBackend() string { return linalg.Backend() }

// cudaInfo is `bbb version`'s cuda line.
func cudaInfo() string { return "not in this build (bin/bbb-cuda is the CUDA build)" }
