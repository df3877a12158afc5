#!/usr/bin/env bash
# The quality bar: the seed job (defaults, 5000 epochs) on seeds 1..N, with
# val_rmse_true per seed; the bar is <= 0.55 on at least 4 of 5 seeds.
# Usage: scripts/quality.sh [N (default 5)] [extra bbb train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}; shift || true
scripts/deps.sh
go build -tags openblas -o bin/bbb ./cmd/bbb
OUT=out/quality; mkdir -p "$OUT"
pass=0
for s in $(seq 1 "$N"); do
  bin/bbb train --seed "$s" --out "$OUT/seed$s" --no-train-band -q "$@" > "$OUT/seed$s.txt"
  r=$(awk '$1=="val_rmse_true" {print $2}' "$OUT/seed$s.txt")
  cov=$(awk '$1=="val_coverage90" {print $2}' "$OUT/seed$s.txt")
  spe=$(awk '$1=="seconds_per_epoch" {print $2}' "$OUT/seed$s.txt")
  ok=$(python3 -c "print('ok' if $r <= 0.55 else 'ABOVE 0.55')")
  [ "$ok" = ok ] && pass=$((pass+1))
  echo "seed $s: val_rmse_true $r  val_coverage90 $cov  seconds_per_epoch $spe  $ok"
done | tee "$OUT/report.txt"
echo "$(grep -c ' ok$' "$OUT/report.txt") of $N seeds at or under 0.55" | tee -a "$OUT/report.txt"
