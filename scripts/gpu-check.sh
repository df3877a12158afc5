#!/usr/bin/env bash
# Runs ON THE GPU MACHINE, from the repository root, with bin/gpu from
# scripts/gpu-bundle.sh (make gpu-bundle). One device call under 5 minutes
# on an H200: about 2.5 minutes before the MNIST checks; they add about
# 160 s (estimated, not yet measured: mnist_gpu ~15 s, torch_mnist_eager and
# torch_mnist_graphs ~25 s each, mnist400_gpu ~75 s at 60 epochs,
# torch_graphs ~20 s), which would be about 5 minutes in all: hence BUDGET.
# Each check has its own timeout, and every timeout is cut to what is left
# of BUDGET (default 285 s) since the start: a check that would start with
# under 5 s left is a SKIP line, so the whole call ends by about 290 s
# whatever hangs (the profiling checks come last and are the ones cut;
# ncu's timeout is 45 s, was 100: it took 12 s on the H200).
# status.txt is copied to $OUT after each check:
#   run(command="scripts/gpu-check.sh", carry=["bin/gpu"], timeout_s=330)
# Prints PASS/FAIL per check and the timing tables; $OUT (default out/gpu)
# gets status.txt and gpu-check.tgz, every output of every check (the device
# tool brings back 8 files). A failing check is recorded and the rest go on.
# Checks:
#   machine    GPU, driver, libraries: every cuBLAS/driver symbol we link exists
#   machines   20 graphs built, run, closed in one process (shuffled sizes)
#   parity     resident graph on the GPU vs the CPU: loss and every gradient,
#              with the Normal prior and the paper's scale mixture (bbb_klmix),
#              the closed-form KL and local reparameterisation, and
#              minibatches gathered on the device (bbb_gather_rows)
#   adam       the resident trainer (Adam and epsilon on the GPU) vs host Adam,
#              also with the closed-form KL and local reparameterisation,
#              minibatches, --mc-samples and a learning-rate schedule
#              (TestResidentBatch*), resume across backends; batched
#              predictive passes: chunks agree
#   batch_gpu  short runs with --batch-size 32, --mc-samples 2, --lr-milestones
#              and all three (exit 0, a finite final loss in the summary)
#   stale      the stock-ops graph's bench at sizes 128,20,20 (module loads
#              after a Close)
#   fault      a failed kernel launch (BBB_CUDA_FAULT): one line naming the
#              kernel and its CUDA status, exit 1, earlier outputs whole
#   resume     --save on the GPU then --resume on the CPU, and the reverse
#   prune_gpu  train --preset mnist --from --prune on the GPU (where the bundle has MNIST)
#              (its scores: K draws a run, nodes.SoftmaxDraws on the device)
#   mnist_gpu  bbb-cuda train --preset mnist --hidden 1200, 3 epochs of the
#              50,000 images: s/epoch (summary.json seconds_per_epoch: the
#              median of the 3 epochs' training steps)
#   torch_mnist_eager, torch_mnist_graphs  the PyTorch peer of the same model
#              (mnist_bbb.py: same sizes, split, init, epoch), eager and with
#              the whole step in one CUDA graph: s/epoch (the median of the
#              epochs after the first); one table line with the three s/epoch
#              and bbb's ratios to each (targets: <= 0.5x eager, <= 1.0x graphs)
#   mnist400_gpu  --preset mnist --hidden 400 for 60 epochs (the preset: rate
#              lowered after 40 and 52) where mnist_gpu's 1200-unit epoch took
#              under 1.1 s, else 20 epochs (--lr-milestones 14,18); test error
#              of 10 draws, bar 2.5 % (60 epochs; CPU seeds 1-3: 1.53-1.67 %)
#              or 4 % (20 epochs)
#   seed_gpu   the seed job on the GPU: s/epoch, val_rmse_true <= 0.55
#   mixture_gpu  a short run with --prior mixture on the GPU (exit 0, its summary)
#   klclosed_gpu a short run with --kl closed on the GPU (bbb_klclosed; exit 0, its summary)
#   local_gpu    a short run with --kl closed --local-reparam on the GPU
#              (bbb_square, bbb_softplus_sq, bbb_local_*; exit 0, its summary)
#   lik_parity the learned, heteroscedastic and categorical likelihoods'
#              resident graph (bbb_lik_* kernels) on the GPU vs the CPU
#   learned_gpu, hetero_gpu  a short run with --likelihood learned / hetero
#   bandit_parity  the bandit's BBB agent on the resident graph on the GPU
#              vs the host graph from the same epsilons (every parameter
#              after 30 steps), and a 600-step run of it (bandit package)
#   bandit_gpu bbb-cuda bandit --steps 2000 --agents bbb,greedy beside
#              bbb-cpu's: each agent's seconds and final regret
#   bench_gpu  sweep hidden 20,128,512,1024: s/epoch, s/pass (1000 passes)
#   bench_tf32, mnist_gpu_tf32  --tf32 (TF32 GEMMs): the sweep at 512 and 1024,
#              and mnist_gpu's run again: s/epoch and test error beside FP32's
#   bench_cpu  the same sweep, OpenBLAS build on all this host's cores
#   bench_old  the sweep by OLD_REF's CUDA build, where gpu-bundle.sh made one
#   torch      the PyTorch eager sweep of the same model on the same GPU
#   torch_graphs  the same sweep with the whole step in one CUDA graph
#              (torch_bench.py --mode cudagraphs); bench_gpu compares both
#   bench_managed, bench_synchtod  hidden 20 and 1024 with upstream's
#              managed-memory arena (BBB_CUDA_ARENA=managed) and synchronous
#              host-to-device copies (BBB_CUDA_SYNC_HTOD=1): before/afters
#   gemm_floor the FP32 GEMMs of one step alone (PyTorch/cuBLAS): the floor
#   cpuprof    bbb-cuda train at hidden 1024 with --cpuprofile (host time)
#   ncu        Nsight Compute: every kernel's GPU time over a few steps at
#              hidden 1024 (where ncu exists), in $OUT/ncu.txt
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=bin/gpu
DEST=${OUT:-out/gpu} # gets status.txt and gpu-check.tgz (the device tool brings back 8 files)
OUT=$(mktemp -d)      # everything else, bundled into the .tgz
mkdir -p "$DEST"
export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
start=$SECONDS
SIZES=${SIZES:-20,128,512,1024}
BUDGET=${BUDGET:-285} # seconds for all the checks: each timeout is cut to what is left
check() { # check NAME TIMEOUT CMD...: runs CMD, output in $OUT/NAME.txt
  local name=$1 to=$2; shift 2
  local t0=$SECONDS left=$((BUDGET - (SECONDS - start)))
  if [ "$left" -lt 5 ]; then
    echo "SKIP $name: the budget of $BUDGET s is spent" | tee -a "$OUT/status.txt"
    cp "$OUT/status.txt" "$DEST/"
    return
  fi
  [ "$to" -le "$left" ] || to=$left
  timeout "$to" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  local verdict=PASS; [ $rc = 0 ] || verdict="FAIL (rc=$rc)"
  echo "$verdict $name ($((SECONDS - t0)) s): $(grep -E -- '--- FAIL|^(ok|FAIL|PASS)$|panic|rror' "$OUT/$name.txt" | head -3 | tr '\n' ' ' | cut -c1-300)" | tee -a "$OUT/status.txt"
  cp "$OUT/status.txt" "$DEST/" # so far, should the call be cut short
}
for f in "$B"/*.gz; do gunzip -kf "$f"; done
chmod +x "$B"/bbb-cuda* "$B"/*.test "$B"/bbb-cpu

{ nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total,clocks.max.sm --format=csv
  nproc; lscpu | grep -m1 'Model name'
  CUBLAS=$(ls /usr/local/cuda/lib64/libcublas.so.13* | head -1)
  echo "cublas: $CUBLAS; symbols missing:"
  LC_ALL=C comm -23 <(LC_ALL=C sort -u "$B/used_cublas_symbols.txt") <(nm -D --defined-only "$CUBLAS" | awk '{sub(/@.*/,"",$3); print $3}' | LC_ALL=C sort -u)
  LIBCUDA=$(ldconfig -p | awk '/libcuda.so.1 /{print $NF; exit}')
  echo "driver: $LIBCUDA; symbols missing:"
  LC_ALL=C comm -23 <(LC_ALL=C sort -u "$B/used_cuda_driver_symbols.txt") <(nm -D --defined-only "$LIBCUDA" | awk '{sub(/@.*/,"",$3); print $3}' | LC_ALL=C sort -u)
} > "$OUT/machine.txt" 2>&1
echo "machine: $(sed -n 2p "$OUT/machine.txt"), $(sed -n 3p "$OUT/machine.txt") cores, $(sed -n 4p "$OUT/machine.txt" | sed 's/.*: *//')" | tee -a "$OUT/status.txt"

# graph tests run from graph/ (testdata), each group in its own process
(cd graph && check machines 45 "../$B/graph-cuda.test" -test.run 'TwentyMachines' -test.v)
(cd graph && check lik_parity 40 "../$B/graph-cuda.test" -test.run 'ResidentLikelihoodsMatchHostGraph|ResidentLikelihoodsGPUParity|ResidentLearnedLikelihood' -test.v)
(cd graph && check parity 40 "../$B/graph-cuda.test" -test.run 'ResidentGPUParity|GatheredGPUParity|Gathered|NoiseGPUMatchesCPU|ResidentMatchesHost|ResidentOptionCombinations|ResidentGPUStateAndHold|ReferenceLoss|PredictiveMatchesForward|GPUMatchesCPU|ParityGolden' -test.v)
check adam 60 "$B/train-cuda.test" -test.run 'Resident|ResumeAcross|PredictChunksAgree|Sampler|NeedsOneOutput|RunOnGPU|RunChunks|StepsReturns' -test.v
check stale 25 "$B/bbb-cuda" bench --stock-ops --hidden-sizes 128,20,20 --points 2000 --epochs 3 --warmup 1 --seconds 1 --samples 3 --out "$OUT/stale"

# A CUDA error in an op (a launch of bbb_bias_act made to fail, BBB_CUDA_FAULT):
# one line naming the kernel and the CUDA status, exit 1, the outputs of the
# run before it whole and no temporary files.
fault_check() {
  "$B/bbb-cuda" train --epochs 100 --report-every 50 --no-train-band --samples 20 --out "$OUT/fault/run" || return 1
  local before; before=$(cd "$OUT/fault/run" && find . -type f -exec md5sum {} + | sort | md5sum)
  BBB_CUDA_FAULT=bbb_bias_act_f32 "$B/bbb-cuda" train --epochs 100 --report-every 50 --no-train-band --samples 20 \
    --out "$OUT/fault/run" > "$OUT/fault/stdout.txt" 2> "$OUT/fault/stderr.txt"
  local rc=$?
  echo "exit $rc; stderr: $(grep -vE '^(epoch |predictive:|figures:)' "$OUT/fault/stderr.txt")"
  [ $rc = 1 ] || return 1
  [ "$(grep -cvE '^(epoch |predictive:|figures:)' "$OUT/fault/stderr.txt")" = 1 ] || { echo "want one line on stderr besides progress"; return 1; }
  grep -q 'bbb_bias_act_f32.*InvalidValue' "$OUT/fault/stderr.txt" || { echo "want the kernel and the status named"; return 1; }
  [ "$(cd "$OUT/fault/run" && find . -type f -exec md5sum {} + | sort | md5sum)" = "$before" ] || { echo "the earlier outputs changed"; return 1; }
  [ "$(ls -A "$OUT/fault" | tr '\n' ' ')" = "run stderr.txt stdout.txt " ] || { echo "left: $(ls -A "$OUT/fault")"; return 1; }
}
mkdir -p "$OUT/fault"
export -f fault_check
export B OUT
check fault 60 bash -c fault_check
sed 's/^/  fault: /' "$OUT/fault.txt" | tail -3 | tee -a "$OUT/status.txt"

# --save on the GPU, --resume on the CPU, and the reverse (one model file
# format; both backends draw the same epsilon): each resumed run reaches
# epoch 400 within 5 % of the saving backend's uninterrupted run's
# training loss (float32 sums round differently on each), and both
# numbers are printed. 200 + 200 epochs of the seed's model, about 10 s.
resume_check() {
  local d=$OUT/resume a=(--report-every 100 --no-train-band --samples 10)
  "$B/bbb-cuda" train --epochs 200 "${a[@]}" --save "$d/gpu.npz" --out "$d/gpu200" || return 1
  "$B/bbb-cpu" train --resume "$d/gpu.npz" --epochs 400 "${a[@]}" --out "$d/gpu_then_cpu" || return 1
  "$B/bbb-cpu" train --epochs 200 "${a[@]}" --save "$d/cpu.npz" --out "$d/cpu200" || return 1
  "$B/bbb-cuda" train --resume "$d/cpu.npz" --epochs 400 "${a[@]}" --out "$d/cpu_then_gpu" || return 1
  "$B/bbb-cuda" train --epochs 400 "${a[@]}" --out "$d/gpu400" || return 1
  "$B/bbb-cpu" train --epochs 400 "${a[@]}" --out "$d/cpu400" || return 1
  last() { awk -F, '$1 == 400 {print $2}' "$d/$1/losses.csv"; }
  echo "epoch 400 train loss: gpu then cpu $(last gpu_then_cpu), gpu alone $(last gpu400); cpu then gpu $(last cpu_then_gpu), cpu alone $(last cpu400)"
  awk -v a="$(last gpu_then_cpu)" -v b="$(last gpu400)" -v c="$(last cpu_then_gpu)" -v e="$(last cpu400)" \
    'function off(x, y) { return (x - y) / y > 0.05 || (y - x) / y > 0.05 } BEGIN { exit (a == "" || c == "" || off(a, b) || off(c, e)) }'
}
mkdir -p "$OUT/resume"
export -f resume_check
check resume 60 bash -c resume_check
sed 's/^/  resume: /' "$OUT/resume.txt" | grep 'epoch 400 train loss' | tee -a "$OUT/status.txt"

# prune and hold on the GPU (train --preset mnist --from --prune): where the
# bundle carries MNIST ($B/mnist, the four idx files) and the CUDA build
# trains --preset mnist (the categorical likelihood on the resident graph).
if [ -d "$B/mnist" ]; then
  prune_check() {
    local d=$OUT/prune m=(--preset mnist --mnist-dir "$B/mnist" --hidden 100 --mnist-train 2000 --mnist-val 500 --mnist-test 500 --samples 3 -q)
    "$B/bbb-cuda" train "${m[@]}" --epochs 1 --save "$d/m.npz" --out "$d/first" || return 1
    "$B/bbb-cuda" train "${m[@]}" --epochs 1 --from "$d/m.npz" --prune 0.5 --out "$d/held" || return 1
    grep -E '"pruned_weights"|"test_error"' "$d/held/summary.json"
  }
  mkdir -p "$OUT/prune"
  export -f prune_check
  check prune_gpu 60 bash -c prune_check
else
  echo "SKIP prune_gpu: no $B/mnist in the bundle (the train package's PruneAndHoldResident ran in adam)" | tee -a "$OUT/status.txt"
fi

# MNIST on the GPU beside the PyTorch peer (the same model, 1200 units, 3
# epochs of the 50,000 images), then the 400-unit preset's test error.
num() { grep -o "\"$1\": *[-0-9.eE+]*" "$2" 2>/dev/null | head -1 | sed 's/.*: *//'; } # num KEY FILE: a JSON number
if [ -d "$B/mnist" ]; then
  M=(--preset mnist --mnist-dir "$B/mnist" --samples 10 --no-figures -q)
  T=(python3 "$B/mnist_bbb.py" --mnist-dir "$B/mnist" --device cuda --hidden 1200 --epochs 3 --samples 10 -q)
  check mnist_gpu 60 "$B/bbb-cuda" train "${M[@]}" --hidden 1200 --epochs 3 --out "$OUT/mnist_gpu"
  check torch_mnist_eager 60 "${T[@]}" --mode eager --json "$OUT/torch_mnist_eager.json"
  check torch_mnist_graphs 60 "${T[@]}" --mode cudagraphs --json "$OUT/torch_mnist_graphs.json"
  sb=$(num seconds_per_epoch "$OUT/mnist_gpu/summary.json")
  se=$(num seconds_per_epoch "$OUT/torch_mnist_eager.json")
  sg=$(num seconds_per_epoch "$OUT/torch_mnist_graphs.json")
  awk -v b="$sb" -v e="$se" -v g="$sg" 'function r(x, y) { return (x == "" || y == "" || y == 0) ? "-" : sprintf("%.2f", x / y) }
    BEGIN { printf "  mnist 1200 units, 50000 images, s/epoch: bbb-cuda %s, PyTorch eager %s, PyTorch CUDA graphs %s; bbb/eager %s (target <= 0.5), bbb/graphs %s (target <= 1.0)\n",
      b == "" ? "-" : b, e == "" ? "-" : e, g == "" ? "-" : g, r(b, e), r(b, g) }' | tee -a "$OUT/status.txt"
  for f in mnist_gpu/summary.json torch_mnist_eager.json torch_mnist_graphs.json; do
    echo "  $f: test_error (10 draws) $(num test_error "$OUT/$f")" | tee -a "$OUT/status.txt"
  done
  # 60 epochs where they fit (a 1200-unit epoch under 1.1 s: a 400-unit one is no slower), else 20
  if awk -v s="$sb" 'BEGIN { exit !(s != "" && s < 1.1) }'; then
    MNIST_EPOCHS="--epochs 60" bar=0.025
  else
    MNIST_EPOCHS="--epochs 20 --lr-milestones 14,18" bar=0.04
  fi
  mnist400_check() {
    # shellcheck disable=SC2086 # MNIST_EPOCHS is words
    "$B/bbb-cuda" train --preset mnist --mnist-dir "$B/mnist" --samples 10 --no-figures -q --hidden 400 $MNIST_EPOCHS \
      --out "$OUT/mnist400_gpu" || return 1
    local e; e=$(num test_error "$OUT/mnist400_gpu/summary.json")
    echo "mnist400_gpu $MNIST_EPOCHS: test_error $e (bar $bar), seconds_per_epoch $(num seconds_per_epoch "$OUT/mnist400_gpu/summary.json")"
    awk -v e="$e" -v b="$bar" 'BEGIN { exit !(e != "" && e <= b) }'
  }
  export -f mnist400_check num
  export MNIST_EPOCHS bar
  check mnist400_gpu 100 bash -c mnist400_check
  grep '^mnist400_gpu' "$OUT/mnist400_gpu.txt" | sed 's/^/  /' | tee -a "$OUT/status.txt"
else
  echo "SKIP mnist_gpu, torch_mnist_eager, torch_mnist_graphs, mnist400_gpu: no $B/mnist in the bundle" | tee -a "$OUT/status.txt"
fi

check seed_gpu 60 "$B/bbb-cuda" train --out "$OUT/seed_gpu" --no-train-band
grep -E 'seconds_per_epoch|val_rmse_true|val_coverage90|predict_seconds"|peak_rss_mib' "$OUT/seed_gpu/summary.json" 2>/dev/null | tr -d ' ,' | tr '\n' ' ' | sed 's/^/  seed_gpu: /;s/$/\n/' | tee -a "$OUT/status.txt"

check mixture_gpu 30 "$B/bbb-cuda" train --prior mixture --epochs 300 --report-every 100 --no-train-band --samples 10 --out "$OUT/mixture_gpu"
grep -E '"prior"|seconds_per_epoch|val_rmse_true' "$OUT/mixture_gpu/summary.json" 2>/dev/null | tr -d ' ,' | tr '\n' ' ' | sed 's/^/  mixture_gpu: /;s/$/\n/' | tee -a "$OUT/status.txt"
for lik in learned hetero; do
  check ${lik}_gpu 30 "$B/bbb-cuda" train --likelihood $lik --epochs 300 --report-every 100 --no-train-band --samples 10 --out "$OUT/${lik}_gpu"
  grep -E '"likelihood"|noise_sigma|seconds_per_epoch|val_rmse_true|val_coverage90' "$OUT/${lik}_gpu/summary.json" 2>/dev/null | tr -d ' ,' | tr '\n' ' ' | sed "s/^/  ${lik}_gpu: /;s/\$/\n/" | tee -a "$OUT/status.txt"
done

check klclosed_gpu 30 "$B/bbb-cuda" train --kl closed --epochs 300 --report-every 100 --no-train-band --samples 10 --out "$OUT/klclosed_gpu"
grep -E '"kl"|seconds_per_epoch|val_rmse_true' "$OUT/klclosed_gpu/summary.json" 2>/dev/null | tr -d ' ,' | tr '\n' ' ' | sed 's/^/  klclosed_gpu: /;s/$/\n/' | tee -a "$OUT/status.txt"

check local_gpu 30 "$B/bbb-cuda" train --kl closed --local-reparam --epochs 300 --report-every 100 --no-train-band --samples 10 --out "$OUT/local_gpu"
grep -E '"estimator"|seconds_per_epoch|val_rmse_true' "$OUT/local_gpu/summary.json" 2>/dev/null | tr -d ' ,' | tr '\n' ' ' | sed 's/^/  local_gpu: /;s/$/\n/' | tee -a "$OUT/status.txt"
# Minibatches (gathered on the device), several draws per step and the
# learning-rate schedule on the GPU: each run exits 0 with a finite
# val_rmse_true in its summary.
batch_check() {
  local i=0 flags
  for flags in "--batch-size 32" "--mc-samples 2" "--lr-milestones 20,40 --lr-gamma 0.5" "--batch-size 32 --mc-samples 2 --kl-weight blundell --lr-milestones 5"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # flags are words
    "$B/bbb-cuda" train $flags --epochs 60 --report-every 20 --no-train-band --samples 10 --out "$OUT/batch_gpu/$i" || return 1
    local rmse; rmse=$(grep -o '"val_rmse_true": *[^,}]*' "$OUT/batch_gpu/$i/summary.json" | sed 's/.*: *//')
    echo "batch_gpu $flags: val_rmse_true $rmse"
    case $rmse in ''|*[Nn]a[Nn]*|*[Ii]nf*) return 1 ;; esac
  done
}
export -f batch_check
check batch_gpu 60 bash -c batch_check

check bandit_parity 40 "$B/bandit-cuda.test" -test.run 'Resident' -test.v
bandit_check() {
  local a=(bandit --steps 2000 --agents bbb,greedy --seed 1 -q)
  "$B/bbb-cuda" "${a[@]}" --out "$OUT/bandit_gpu" || return 1
  "$B/bbb-cpu" "${a[@]}" --out "$OUT/bandit_cpu" || return 1
  local d
  for d in bandit_gpu bandit_cpu; do
    echo "$d: $(tr -d ' \n' < "$OUT/$d/summary.json" | grep -oE '"(name|final_regret|seconds|resident)":[^,}]*' | paste -sd' ')"
  done
}
export -f bandit_check
check bandit_gpu 60 bash -c bandit_check
sed 's/^/  /' "$OUT/bandit_gpu.txt" | grep -E '^  bandit_(gpu|cpu):' | tee -a "$OUT/status.txt"

check bench_cpu 45 "$B/bbb-cpu" bench --threads 0 --hidden-sizes "$SIZES" --epochs 3 --warmup 1 --seconds 1 --samples 3 --out "$OUT/bench_cpu"
check torch 60 python3 "$B/torch_bench.py" --device cuda --hidden-sizes "$SIZES" --samples 1000 --out "$OUT/torch_gpu"
check torch_graphs 45 python3 "$B/torch_bench.py" --device cuda --mode cudagraphs --hidden-sizes "$SIZES" --samples 10 --out "$OUT/torch_graphs"
CMP=$(ls "$OUT"/bench_cpu/bench.json "$OUT"/torch_gpu/bench.json "$OUT"/torch_graphs/bench.json 2>/dev/null | paste -sd, -)
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader -lms 500 > "$OUT/gpu_util.txt" 2>&1 &
SMI=$!
check bench_gpu 75 "$B/bbb-cuda" bench --hidden-sizes "$SIZES" --epochs 30 --warmup 3 --seconds 2 --samples 1000 \
  ${CMP:+--compare "$CMP"} --out "$OUT/bench_gpu"
kill $SMI 2>/dev/null
if [ -f "$B/bbb-cuda-old" ]; then # OLD_REF's build (gpu-bundle.sh): the same sweep, for a before/after
  check bench_old 60 "$B/bbb-cuda-old" bench --hidden-sizes "$SIZES" --epochs 30 --warmup 3 --seconds 2 --samples 10 --out "$OUT/bench_old"
  grep -E '^ *20000 ' "$OUT/bench_old.txt" | sed 's/^/  old: /' | tee -a "$OUT/status.txt"
fi
echo "  GPU utilisation during bench_gpu (%): $(awk -F, '{print $1+0}' "$OUT/gpu_util.txt" | sort -n | awk '{a[NR]=$1} END {if (NR) print "median", a[int((NR+1)/2)], "max", a[NR], "of", NR, "samples"}')" | tee -a "$OUT/status.txt"
grep -v '^bbb\|^gpu ' "$OUT/bench_gpu.txt" | tee -a "$OUT/status.txt"

# --tf32 (TF32 tensor-op GEMMs): its speed at the widest sizes and its effect on
# the MNIST model's test error beside mnist_gpu's (same seed, same 3 epochs).
check bench_tf32 40 "$B/bbb-cuda" bench --tf32 --hidden-sizes 512,1024 --epochs 30 --warmup 3 --seconds 2 --samples 10 --out "$OUT/bench_tf32"
grep -E '^ *20000 ' "$OUT/bench_tf32.txt" | sed 's/^/  TF32 GEMMs: /' | tee -a "$OUT/status.txt"
if [ -d "$B/mnist" ]; then
  check mnist_gpu_tf32 60 "$B/bbb-cuda" train "${M[@]}" --hidden 1200 --epochs 3 --tf32 --out "$OUT/mnist_gpu_tf32"
  echo "  mnist 1200 units, 3 epochs: FP32 $(num seconds_per_epoch "$OUT/mnist_gpu/summary.json") s/epoch, test_error $(num test_error "$OUT/mnist_gpu/summary.json"); TF32 $(num seconds_per_epoch "$OUT/mnist_gpu_tf32/summary.json") s/epoch, test_error $(num test_error "$OUT/mnist_gpu_tf32/summary.json")" | tee -a "$OUT/status.txt"
fi

# where a step's time goes at the widest size (PROFILE=0 skips)
if [ "${PROFILE:-1}" = 1 ]; then
  BBB_CUDA_ARENA=managed check bench_managed 40 "$B/bbb-cuda" bench --hidden-sizes 20,1024 --epochs 30 --warmup 3 --seconds 2 --samples 10 --out "$OUT/bench_managed"
  grep -E '^ *20000 ' "$OUT/bench_managed.txt" | sed 's/^/  arena in managed memory: /' | tee -a "$OUT/status.txt"
  BBB_CUDA_SYNC_HTOD=1 check bench_synchtod 40 "$B/bbb-cuda" bench --hidden-sizes 20,1024 --epochs 30 --warmup 3 --seconds 2 --samples 10 --out "$OUT/bench_synchtod"
  grep -E '^ *20000 ' "$OUT/bench_synchtod.txt" | sed 's/^/  synchronous host-to-device copies: /' | tee -a "$OUT/status.txt"
  check gemm_floor 40 python3 "$B/gemm_floor.py" --hidden-sizes 512,1024
  sed 's/^/  /' "$OUT/gemm_floor.txt" | tee -a "$OUT/status.txt"
  check cpuprof 40 "$B/bbb-cuda" train --hidden 1024 --epochs 300 --report-every 100 --no-train-band --samples 10 \
    --cpuprofile "$OUT/cpu1024.prof" --out "$OUT/cpuprof"
  grep -E 'seconds_per_epoch|peak_rss' "$OUT/cpuprof.txt" | sed 's/^/  /' | tee -a "$OUT/status.txt"
  NCU=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
  if [ -n "$NCU" ]; then
    check ncu 45 "$NCU" --clock-control none --metrics gpu__time_duration.sum --csv --print-units base \
      --launch-skip 2000 --launch-count 600 "$B/bbb-cuda" train --hidden 1024 --epochs 40 --report-every 20 \
      --no-train-band --samples 2 --out "$OUT/ncu1024"
  fi
fi
echo "done in $((SECONDS - start)) s" | tee -a "$OUT/status.txt"
tar czf "$DEST/gpu-check.tgz" -C "$OUT" . 2>/dev/null
cp "$OUT/status.txt" "$DEST/"
rm -rf "$OUT"
