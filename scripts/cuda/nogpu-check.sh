#!/usr/bin/env bash
# On a machine without an NVIDIA driver (CI, this CPU machine), after
# scripts/cuda/build.sh: bin/bbb-cuda says in one line what is missing and
# exits 1, and writes nothing:
#   - no libcuda.so.1 at all: the launcher names the missing libraries;
#   - NVIDIA's link stubs as the libraries (they load, cuInit fails): the
#     binary's own "no usable NVIDIA GPU" line; `bbb-cuda version` alone
#     answers (exit 0) with that on its cuda line.
set -uo pipefail
cd "$(dirname "$0")/../.."
C=${CUDA_CACHE:-$PWD/.cache/cuda}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
expect() { # expect NAME PATTERN CMD...: one line on stderr matching PATTERN, exit 1, no --out (TRAIN_FLAGS, ARGS: more train flags)
  local name=$1 pat=$2; shift 2
  # shellcheck disable=SC2086 # TRAIN_FLAGS and ARGS are lists of flags
  "$@" train --epochs 2 ${TRAIN_FLAGS:-} --out "$T/out" ${ARGS:-} >"$T/stdout" 2>"$T/stderr"
  local rc=$?
  local lines; lines=$(grep -c . "$T/stderr")
  if [ $rc != 1 ] || [ "$lines" != 1 ] || ! grep -q -- "$pat" "$T/stderr" || [ -e "$T/out" ] || [ -s "$T/stdout" ]; then
    echo "FAIL $name: exit $rc, $lines lines on stderr: $(cat "$T/stderr")"; fail=1
  else
    echo "ok   $name: $(cat "$T/stderr")"
  fi
}
expect "no driver library" 'libcuda.so.1.*not found' env LD_LIBRARY_PATH= bin/bbb-cuda
mkdir -p "$T/lib"
cp "$C/stubs/libcuda.so" "$T/lib/libcuda.so.1"
cp "$C/stubs/libcublas.so.13" "$T/lib/"
expect "no usable GPU" 'no usable NVIDIA GPU' env LD_LIBRARY_PATH="$T/lib" bin/bbb-cuda
# The options the resident graph takes (graph.TestOptionsValidate) end the
# same way: the GPU is missing, not the option.
TRAIN_FLAGS="--kl closed" expect "no usable GPU, --kl closed" 'no usable NVIDIA GPU' env LD_LIBRARY_PATH="$T/lib" bin/bbb-cuda
TRAIN_FLAGS="--kl closed --local-reparam" expect "no usable GPU, --local-reparam" 'no usable NVIDIA GPU' env LD_LIBRARY_PATH="$T/lib" bin/bbb-cuda
# The options of a resident run's state are accepted up to the GPU check:
# --save, --resume, --from --prune (the model files need not exist there).
# --preset mnist (the categorical likelihood on the resident graph, the
# scores on the device) too.
for ARGS in "--save $T/m.npz" "--resume $T/m.npz" "--preset mnist" "--preset mnist --from $T/m.npz --prune 0.5"; do
  expect "no usable GPU, $ARGS" 'no usable NVIDIA GPU' env LD_LIBRARY_PATH="$T/lib" bin/bbb-cuda
done
unset ARGS
# The resident graph takes minibatches, draws and the learning-rate
# schedule: without a GPU they meet the same line, not a refusal.
# --tf32 (TF32 GEMMs) is the CUDA build's: accepted up to the GPU check too.
for flags in "--batch-size 32" "--mc-samples 2" "--lr-milestones 1 --lr-gamma 0.5" "--batch-size 32 --mc-samples 2 --kl-weight blundell" "--tf32"; do
  TRAIN_FLAGS=$flags expect "no usable GPU, $flags" 'no usable NVIDIA GPU' env LD_LIBRARY_PATH="$T/lib" bin/bbb-cuda
done
# bbb version still answers there (exit 0), naming the build and the missing GPU.
if env LD_LIBRARY_PATH="$T/lib" bin/bbb-cuda version >"$T/stdout" 2>"$T/stderr" &&
  [ ! -s "$T/stderr" ] && grep -qx 'tags: cuda' "$T/stdout" && grep -q '^cuda: no usable NVIDIA GPU' "$T/stdout"; then
  echo "ok   version without a GPU: $(grep '^cuda:' "$T/stdout")"
else
  echo "FAIL version without a GPU: $(cat "$T/stdout" "$T/stderr")"; fail=1
fi
ln -s "$PWD/bin/bbb-cuda" "$T/bbb-cuda-link"
expect "through a symbolic link" 'libcuda.so.1.*not found' env LD_LIBRARY_PATH= "$T/bbb-cuda-link"
exit $fail
