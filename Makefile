# bin/bbb is the fast CPU build (OpenBLAS through cgo); `go run ./cmd/bbb`
# is the pure-Go build. See README.
GO ?= go

.PHONY: train test bbb deps peer-bench cuda kernels gpu-bundle clean

train: bbb
	bin/bbb train $(ARGS)

bbb: deps
	$(GO) build -tags openblas -o bin/bbb ./cmd/bbb

deps:
	@scripts/deps.sh

test:
	$(GO) test ./...

# Side by side with the PyTorch peer: see scripts/peer-bench.sh.
peer-bench: bbb
	scripts/peer-bench.sh

# The CUDA build, from a CPU-only machine: see README, GPU section.
cuda:
	scripts/cuda/build.sh

# Regenerates internal/cudalib/stdlib_gen.go (PTX from Debian's nvcc 11.8).
kernels:
	scripts/cuda/gen-kernels.sh

# Everything scripts/gpu-check.sh needs on the GPU machine, in bin/gpu.
gpu-bundle:
	scripts/gpu-bundle.sh

clean:
	rm -rf bin out
