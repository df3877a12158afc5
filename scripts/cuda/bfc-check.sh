#!/usr/bin/env bash
# Stress test of the patched Gorgonia arena allocator (cuda/bfc.go) on the
# CPU: the cuda package itself cannot be tested without a GPU (its init
# calls cuInit), but the allocator is plain Go. Copies it, with its own
# tests and scripts/cuda/bfc_stress_test.go.txt, into a scratch module.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GG=$(ls -d "${CUDA_CACHE:-$ROOT/.cache/cuda}"/gorgonia-*/ | head -1)
[ -f "$GG/.patched" ] || { echo "bfc-check.sh: run scripts/cuda/build.sh first" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp "$GG"/cuda/{bfc.go,bfc_test.go,release.go,errors.go} "$T/"
cp "$ROOT/scripts/cuda/bfc_stress_test.go.txt" "$T/stress_test.go"
chmod u+w "$T"/*
printf 'module bfccheck\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n' > "$T/go.mod"
cp "$ROOT/go.sum" "$T/go.sum"
(cd "$T" && GOFLAGS=-mod=mod go test -count=1 .)
