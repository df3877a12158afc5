#!/usr/bin/env bash
# Runs ON THE GPU MACHINE, from the repository root, with bin/gpu from
# scripts/gpu-bundle.sh (make gpu-bundle). Every check writes its output
# under $OUT (default out/gpu); a failing check is recorded and the rest go
# on. Budget: under 5 minutes. Checks:
#   1. the GPU, driver and glibc; libcublas.so.13's SONAME and version node;
#      every cuBLAS and driver symbol the binary needs is defined there
#   2. the parity test: loss and every gradient, GPU vs CPU, float32 tolerance
#   3. the seed job on the GPU (5000 epochs) and on the CPU of this machine
#   4. the bench sweep, CPU build and CUDA build, one table and figure
#   5. the seed's PyTorch program on the same GPU
set -uo pipefail
cd "$(dirname "$0")/.."
B=bin/gpu
OUT=${OUT:-out/gpu}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
start=$SECONDS
status() { echo "$1: $2 ($((SECONDS - start)) s)" | tee -a "$OUT/status.txt"; }
for f in "$B"/*.gz; do gunzip -kf "$f"; done
chmod +x "$B/bbb-cuda" "$B/graph-cuda.test" "$B/bbb-cpu"

# 1. machine and libraries
{ nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv
  ldd --version | head -1
  CUBLAS=$(ls /usr/local/cuda/lib64/libcublas.so.13* | head -1)
  echo "cublas: $CUBLAS"; readelf -d "$CUBLAS" | grep SONAME
  readelf -V "$CUBLAS" | grep -A3 'Version definition' | head -5
  echo "cublas symbols missing:"; comm -23 "$B/used_cublas_symbols.txt" <(nm -D --defined-only "$CUBLAS" | awk '{sub(/@.*/,"",$3); print $3}' | sort -u)
  LIBCUDA=$(ldconfig -p | awk '/libcuda.so.1 /{print $NF; exit}')
  echo "driver: $LIBCUDA; symbols missing:"; comm -23 "$B/used_cuda_driver_symbols.txt" <(nm -D --defined-only "$LIBCUDA" | awk '{sub(/@.*/,"",$3); print $3}' | sort -u)
  ldd "$B/bbb-cuda"
} > "$OUT/machine.txt" 2>&1
status machine "$(head -2 "$OUT/machine.txt" | tail -1)"

# 2. parity
# (from graph/, where the test finds testdata/parity.json, the CPU's golden file)
(cd graph && LD_BIND_NOW=1 timeout 60 "../$B/graph-cuda.test" -test.run 'GPUMatchesCPU|ParityGolden' -test.v) > "$OUT/parity.txt" 2>&1
status parity "$(grep -E '^(ok|PASS|FAIL)' "$OUT/parity.txt" | tail -1)"

# 3. seed job, GPU then CPU
timeout 120 "$B/bbb-cuda" train --out "$OUT/seed_gpu" --no-train-band > "$OUT/seed_gpu.txt" 2> "$OUT/seed_gpu.log"
status seed_gpu "rc=$? $(grep -E 'seconds_per_epoch|val_rmse_true' "$OUT/seed_gpu.txt" | tr '\n' ' ')"
timeout 45 "$B/bbb-cpu" train --out "$OUT/seed_cpu" --no-train-band > "$OUT/seed_cpu.txt" 2> "$OUT/seed_cpu.log"
status seed_cpu "rc=$? $(grep -E 'seconds_per_epoch|val_rmse_true' "$OUT/seed_cpu.txt" | tr '\n' ' ')"

# 4. bench sweep
SIZES=${SIZES:-20,128,512,1024}
timeout 60 "$B/bbb-cpu" bench --hidden-sizes "$SIZES" --epochs 5 --warmup 1 --seconds 1 --samples 5 --out "$OUT/bench_cpu" > "$OUT/bench_cpu.txt" 2>&1
status bench_cpu "rc=$?"
timeout 60 "$B/bbb-cuda" bench --hidden-sizes "$SIZES" --epochs 20 --warmup 2 --seconds 1 --samples 20 --compare "$OUT/bench_cpu/bench.json" --out "$OUT/bench_gpu" > "$OUT/bench_gpu.txt" 2>&1
status bench_gpu "rc=$?"

# 5. the PyTorch peer on the same GPU
if [ -x /opt/torch/.venv/bin/python3 ]; then
  DEVICE=cuda PEER="$B/seed_bbb.py" timeout 60 /opt/torch/.venv/bin/python3 "$B/seed_bbb_device.py" 5000 > "$OUT/peer_gpu.txt" 2>&1
  status peer_gpu "rc=$? $(grep -E 'train_s_per_epoch|val_rmse_vs_true' "$OUT/peer_gpu.txt" | tr '\n' ' ')"
fi
cat "$OUT/bench_gpu.txt" >> "$OUT/status.txt"
status done "total"
