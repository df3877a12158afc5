#!/usr/bin/env bash
# Runs ON THE GPU MACHINE (bin/gpu from `make gpu-bundle`): a before/after of
# the CUDA build's switches, in one device call of about a minute:
#   run(command="scripts/gpu-ab.sh BBB_CUDA_ARENA=managed BBB_CUDA_ARENA=device", carry=["bin/gpu"])
# For each setting (an environment assignment, or "-" for none) it times
# `bbb-cuda bench` at $SIZES; under the last one it also runs the GPU test
# groups of gpu-check.sh and the seed job, so a switch that breaks something
# shows. $OUT gets status.txt and gpu-ab.tgz.
set -uo pipefail
cd "$(dirname "$0")/.."
B=bin/gpu
DEST=${OUT:-out/gpu-ab}
OUT=$(mktemp -d)
mkdir -p "$DEST"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
SIZES=${SIZES:-20,512,1024}
for f in "$B"/*.gz; do gunzip -kf "$f"; done
chmod +x "$B"/bbb-cuda* "$B"/*.test
log() { echo "$*" | tee -a "$OUT/status.txt"; }
run() { # run NAME TIMEOUT ENV CMD...: CMD under ENV, output in $OUT/NAME.txt
  local name=$1 to=$2 env=$3; shift 3
  [ "$env" = - ] && env=
  local t0=$SECONDS
  env $env timeout "$to" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  log "$([ $rc = 0 ] && echo PASS || echo "FAIL (rc=$rc)") $name [$env] ($((SECONDS - t0)) s): $(grep -E -- '--- FAIL|panic|rror' "$OUT/$name.txt" | head -2 | tr '\n' ' ' | cut -c1-240)"
}
log "machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
python3 -c "import cupy; p = cupy.cuda.runtime.getDeviceProperties(0); print('concurrentManagedAccess', p['concurrentManagedAccess'], 'pageableMemoryAccess', p['pageableMemoryAccess'], 'managedMemory', p['managedMemory'])" 2>&1 | tail -1 | tee -a "$OUT/status.txt"
i=0
for env in "$@"; do
  i=$((i + 1))
  run "bench$i" 60 "$env" "$B/bbb-cuda" bench --hidden-sizes "$SIZES" --epochs 40 --warmup 3 --seconds 2 --samples 10 --out "$OUT/bench$i"
  grep -E '^ *20000 ' "$OUT/bench$i.txt" | sed "s/^/  [$env] /" | tee -a "$OUT/status.txt"
  last=$env
done
(cd graph && run machines 45 "${last:--}" "../$B/graph-cuda.test" -test.run 'TwentyMachines|ResidentGPUParity|ResidentMatchesHost|ReferenceLoss|PredictiveMatchesForward|GPUMatchesCPU|ParityGolden' -test.v)
run train 60 "${last:--}" "$B/train-cuda.test" -test.run 'Resident|PredictChunksAgree|Sampler|NeedsOneOutput|RunOnGPU|RunChunks|StepsReturns' -test.v
run seed 60 "${last:--}" "$B/bbb-cuda" train --out "$OUT/seed" --no-train-band
grep -E 'seconds_per_epoch|val_rmse_true|peak_rss_mib' "$OUT/seed/summary.json" | tr -d ' ,' | tr '\n' ' ' | sed 's/^/  seed: /;s/$/\n/' | tee -a "$OUT/status.txt"
tar czf "$DEST/gpu-ab.tgz" -C "$OUT" . 2>/dev/null
cp "$OUT/status.txt" "$DEST/"
rm -rf "$OUT"
