#!/usr/bin/env bash
# Fetches what the CUDA build needs on a CPU-only Debian 12 machine into a
# git-ignored cache (default .cache/cuda), without changing the system's apt
# configuration: Debian non-free's nvidia-cuda-dev (CUDA 11.8 headers and
# NVIDIA's link stubs), of which only usr/include and the stubs are
# extracted. With PTX=1 it also fetches nvcc (nvidia-cuda-toolkit, libnvvm4)
# to regenerate the kernels; building needs no nvcc. Idempotent.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
C=${CUDA_CACHE:-$ROOT/.cache/cuda}
A=$C/apt
mkdir -p "$A/lists/partial" "$A/archives/partial" "$C/x"

have_dev() { [ -f "$C/x/usr/include/cuda.h" ] && [ -f "$C/x/usr/lib/x86_64-linux-gnu/stubs/libcuda.so" ]; }
have_nvcc() { [ -x "$C/x/usr/lib/nvidia-cuda-toolkit/bin/nvcc" ]; }
if have_dev && { [ "${PTX:-0}" != 1 ] || have_nvcc; }; then exit 0; fi

# A private sources file that adds contrib and non-free to the system's suites.
sed -E 's/^Components: .*/Components: main contrib non-free non-free-firmware/' \
  /etc/apt/sources.list.d/debian.sources > "$A/nonfree.sources"
aptp() {
  apt-get -q -o Dir::Etc::SourceList="$A/nonfree.sources" -o Dir::Etc::SourceParts=- \
    -o Dir::State::Lists="$A/lists" -o Dir::Cache::Archives="$A/archives" \
    -o Dir::Cache::pkgcache="$A/pkgcache.bin" -o Dir::Cache::srcpkgcache="$A/srcpkgcache.bin" \
    -o APT::Sandbox::User=root "$@"
}
[ -n "$(ls "$A/lists" 2>/dev/null | grep -v partial)" ] || aptp update >/dev/null

pkgs=(nvidia-cuda-dev)
[ "${PTX:-0}" = 1 ] && pkgs+=(nvidia-cuda-toolkit libnvvm4)
(cd "$A/archives" && for p in "${pkgs[@]}"; do ls "$p"_*.deb >/dev/null 2>&1 || aptp download "$p" >/dev/null; done)

if ! have_dev; then
  dpkg-deb --fsys-tarfile "$A"/archives/nvidia-cuda-dev_*.deb |
    tar -x -C "$C/x" ./usr/include ./usr/lib/x86_64-linux-gnu/stubs
fi
if [ "${PTX:-0}" = 1 ] && ! have_nvcc; then
  for p in nvidia-cuda-toolkit libnvvm4; do dpkg-deb -x "$A"/archives/${p}_*.deb "$C/x"; done
fi
# The .debs are not needed once extracted (nvidia-cuda-dev is ~775 MB).
[ "${KEEP_DEBS:-0}" = 1 ] || rm -f "$A"/archives/*.deb
echo "cuda: headers and stubs in $C/x" >&2
