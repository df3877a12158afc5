#!/usr/bin/env bash
# Side by side with the PyTorch peer (scripts/peer/seed_bbb.py, one
# thread, its fastest setting here), on this machine, in one run:
#   training seconds per epoch (float32 and float64), the whole seed job's
#   wall time (FULL_JOB: 5000 epochs, bands over validation and training
#   inputs, figures), 1000 predictive passes over the validation inputs,
#   peak RSS, and RSS from epoch 1000 to 20000.
# Usage: scripts/peer-bench.sh [epochs (default 5000)] [out dir (default out/peer-bench)]
#   SKIP_FLAT=1 skips the 20000-epoch RSS run.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-5000}
OUT=${2:-out/peer-bench}
PEER=${PEER:-scripts/peer/seed_bbb.py}
mkdir -p "$OUT"

need() { dpkg -s "$1" >/dev/null 2>&1 || { echo "installing $1" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null; }; }; }
need python3-torch; need python3-matplotlib; need time
scripts/deps.sh
go build -tags openblas -o bin/bbb ./cmd/bbb

# peak RSS (MiB) and wall seconds from GNU time's -v report
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$1"; }
field() { awk -v k="$1" '$1==k {print $2}' "$2"; }
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

echo "== peer: seed job, FULL_JOB=1, $EPOCHS epochs, 1 thread" >&2
TORCH_THREADS=1 FULL_JOB=1 /usr/bin/time -v -o "$OUT/peer.time" /usr/bin/python3 "$PEER" "$EPOCHS" "$OUT/peer_val.png" > "$OUT/peer.txt" 2>&1
echo "== peer: VAL_EVERY=500 (validation pass as often as bbb's), $EPOCHS epochs" >&2
TORCH_THREADS=1 VAL_EVERY=500 /usr/bin/python3 "$PEER" "$EPOCHS" > "$OUT/peer_val500.txt" 2>&1
for dt in float32 float64; do
  echo "== bbb train --dtype $dt, $EPOCHS epochs" >&2
  /usr/bin/time -v -o "$OUT/bbb_$dt.time" bin/bbb train --epochs "$EPOCHS" --dtype "$dt" --out "$OUT/bbb_$dt" -q > "$OUT/bbb_$dt.txt"
done
if [ "${SKIP_FLAT:-0}" != 1 ]; then
  echo "== bbb train: RSS from epoch 1000 to 20000" >&2
  bin/bbb train --epochs 20000 --report-every 1000 --samples 2 --no-train-band --no-figures --out "$OUT/bbb_flat" 2> "$OUT/bbb_flat.log" >/dev/null
fi

P_EP=$(field train_s_per_epoch "$OUT/peer.txt"); P_EP500=$(field train_s_per_epoch "$OUT/peer_val500.txt")
P_PRED=$(field predict_1000_samples_val_s "$OUT/peer.txt"); P_PREDT=$(field predict_1000_samples_train_s "$OUT/peer.txt")
P_WALL=$(wall "$OUT/peer.time"); P_RSS=$(rss "$OUT/peer.time"); P_RMSE=$(field val_rmse_vs_true "$OUT/peer.txt")
B_EP32=$(json "$OUT/bbb_float32/summary.json" seconds_per_epoch); B_EP64=$(json "$OUT/bbb_float64/summary.json" seconds_per_epoch)
B_PRED=$(json "$OUT/bbb_float32/summary.json" predict_seconds); B_PREDT=$(json "$OUT/bbb_float32/summary.json" predict_train_seconds)
B_WALL=$(wall "$OUT/bbb_float32.time"); B_RSS=$(rss "$OUT/bbb_float32.time"); B_RMSE=$(json "$OUT/bbb_float32/summary.json" val_rmse_true)
B_RMSE64=$(json "$OUT/bbb_float64/summary.json" val_rmse_true)

python3 - "$OUT/report.md" <<PY
import sys
rows = [
 ("train s/epoch float32 vs peer (val every epoch)", $B_EP32, $P_EP, 0.5),
 ("train s/epoch float32 vs peer VAL_EVERY=500", $B_EP32, $P_EP500, None),
 ("train s/epoch float64 vs peer (val every epoch)", $B_EP64, $P_EP, 1.0),
 ("whole seed job wall s (float32) vs peer FULL_JOB", $B_WALL, $P_WALL, 0.5),
 ("1000 passes over validation inputs, s", $B_PRED, $P_PRED, 0.5),
 ("1000 passes over training inputs, s", $B_PREDT, $P_PREDT, None),
 ("peak RSS MiB, whole job", $B_RSS, $P_RSS, 0.5),
]
out = ["| measure | bbb | peer | ratio | target |", "|---|---|---|---|---|"]
for name, b, p, t in rows:
    r = b / p
    ok = "" if t is None else ("<= %.1f %s" % (t, "met" if r <= t else "NOT met"))
    out.append("| %s | %.4g | %.4g | %.2f | %s |" % (name, b, p, r, ok))
out.append("")
out.append("val_rmse_true: bbb float32 %.4f, bbb float64 %.4f, peer %.4f (bar: <= 0.55)" % ($B_RMSE, $B_RMSE64, $P_RMSE))
text = "\n".join(out)
print(text)
open(sys.argv[1], "w").write(text + "\n")
PY
if [ -f "$OUT/bbb_flat.log" ]; then
  awk '/^epoch/ {for(i=1;i<=NF;i++) if($i=="RSS") print $2, $(i+1)}' "$OUT/bbb_flat.log" | tee "$OUT/rss_by_epoch.txt" | awk 'NR==1{a=$2} {b=$2} END {printf "RSS at epoch 1000: %s MiB, at epoch 20000: %s MiB\n", a, b}' | tee -a "$OUT/report.md"
fi
echo "wrote $OUT/report.md" >&2
