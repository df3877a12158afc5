#!/usr/bin/env bash
# Installs what the fast CPU build needs: OpenBLAS headers and library
# (Debian's libopenblas-dev). Idempotent; changes nothing when present.
set -euo pipefail
if [ -f /usr/include/x86_64-linux-gnu/cblas.h ] || [ -f /usr/include/cblas.h ] || [ -f /usr/include/openblas/cblas.h ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "deps: libopenblas-dev is missing; install it (Debian: apt-get install libopenblas-dev)," >&2
  echo "      or use the pure-Go build: go run ./cmd/bbb train" >&2
  exit 1
fi
echo "deps: installing libopenblas-dev" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q libopenblas-dev >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q libopenblas-dev >/dev/null; }
