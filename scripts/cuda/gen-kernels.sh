#!/usr/bin/env bash
# Regenerates internal/cudalib/stdlib_gen.go: Gorgonia's standard CUDA
# kernels ("cuda modules/src/*.cu" in the gorgonia module) and this
# project's (nodes/kernels/*.cu) compiled to PTX
# with Debian's nvcc 11.8 and the flags of gorgonia's cmd/cudagen, for
# compute_52 (the driver JIT-compiles PTX for newer GPUs), registered with
# gorgonia.AddToStdLib. gorgonia's cudagen asks a GPU for its compute
# capability; this does its job without one. Needs g++-12 (or g++-11).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
C=${CUDA_CACHE:-$ROOT/.cache/cuda}
X=$C/x
PTX=1 scripts/cuda/fetch.sh
T=$X/usr/lib/nvidia-cuda-toolkit
ARCH=${ARCH:-compute_52}
# The packaged nvcc.profile is a link to /etc/nvcc.profile; point a private
# one at the extracted tree instead.
rm -f "$T/bin/nvcc.profile"
cat > "$T/bin/nvcc.profile" <<PROFILE
NVVMIR_LIBRARY_DIR = $T/libdevice
PATH += $T/bin:
INCLUDES += -I$X/usr/include
PROFILE
if command -v g++-11 >/dev/null; then CCBIN=g++-11; EXTRA=(); else CCBIN=g++-12; EXTRA=(-allow-unsupported-compiler); fi
SRC="$(go list -m -f '{{.Dir}}' gorgonia.org/gorgonia)/cuda modules/src"
OUT=$C/ptx/$ARCH
rm -rf "$OUT" && mkdir -p "$OUT"
for cu in "$SRC"/*.cu nodes/kernels/*.cu; do
  [ -f "$cu" ] || continue
  n=$(basename "$cu" .cu)
  LD_LIBRARY_PATH=$X/usr/lib/x86_64-linux-gnu "$T/bin/nvcc" -ccbin "$CCBIN" "${EXTRA[@]}" -o "$OUT/$n.ptx" \
    -arch="$ARCH" -ptx -Xptxas --allow-expensive-optimizations -fmad=false -ftz=false \
    -prec-div=true -prec-sqrt=true "$cu"
done
go run scripts/cuda/genlib.go -ptx "$OUT" -out internal/cudalib/stdlib_gen.go \
  -cmd "scripts/cuda/gen-kernels.sh (nvcc $($T/bin/nvcc --version | awk '/release/ {print $5 $6}') -arch=$ARCH)"
gofmt -l internal/cudalib
ls -la "$OUT"
