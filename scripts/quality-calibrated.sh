#!/usr/bin/env bash
# The calibrated preset's bar (issue 8): on seeds 1..N, the total 90% band
# (val_pred_coverage90) covers 87-93% of the noisy validation targets and
# val_rmse_true <= 0.55, on at least 4 of 5 seeds.
# Usage: scripts/quality-calibrated.sh [N (default 5)] [extra bbb train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}; shift || true
scripts/deps.sh
go build -tags openblas -o bin/bbb ./cmd/bbb
OUT=out/quality-calibrated; mkdir -p "$OUT"
for s in $(seq 1 "$N"); do
  bin/bbb train --preset calibrated --seed "$s" --out "$OUT/seed$s" --no-train-band -q "$@" > "$OUT/seed$s.txt"
  r=$(awk '$1=="val_rmse_true" {print $2}' "$OUT/seed$s.txt")
  cov=$(awk '$1=="val_pred_coverage90" {print $2}' "$OUT/seed$s.txt")
  nlpd=$(awk '$1=="val_nlpd" {print $2}' "$OUT/seed$s.txt")
  spe=$(awk '$1=="seconds_per_epoch" {print $2}' "$OUT/seed$s.txt")
  ok=$(python3 -c "print('ok' if $r <= 0.55 and 0.87 <= $cov <= 0.93 else 'MISSED')")
  echo "seed $s: val_rmse_true $r  val_pred_coverage90 $cov  val_nlpd $nlpd  seconds_per_epoch $spe  $ok"
done | tee "$OUT/report.txt"
echo "$(grep -c ' ok$' "$OUT/report.txt") of $N seeds meet both bars" | tee -a "$OUT/report.txt"
