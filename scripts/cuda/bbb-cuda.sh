#!/bin/sh
# bbb-cuda: starts the CUDA build (bbb-cuda.bin beside this script, made by
# scripts/cuda/build.sh) once the dynamic loader finds every library it
# needs. Without them the loader itself would stop the binary before any of
# its code runs, with exit 127; this says which are missing, in one line,
# and exits 1. (With the libraries but no usable GPU, the binary says so.)
self=$0
[ -L "$self" ] && self=$(readlink -f "$self")
bin=$self.bin
if [ ! -x "$bin" ]; then
  echo "$0: $bin is missing: copy bbb-cuda.bin beside bbb-cuda (make cuda builds both)" >&2
  exit 1
fi
if command -v ldd >/dev/null 2>&1; then
  missing=$(ldd "$bin" 2>/dev/null | awk '/=> not found/ {printf "%s%s", sep, $1; sep = ", "}')
  if [ -n "$missing" ]; then
    echo "$0: cannot start: $missing not found (libcuda.so.1 comes with the NVIDIA driver, libcublas.so.13 with CUDA 13: /usr/local/cuda/lib64 or LD_LIBRARY_PATH)" >&2
    exit 1
  fi
fi
exec "$bin" "$@"
