#!/usr/bin/env python3
"""PyTorch sweep of the bbb bench model, written as a bench.json that
`bbb bench --compare` reads (same schema and keys as the bench package's Report, bench/report.go).

The model is the seed's (scripts/peer/seed_bbb.py), written the way a
PyTorch user would: --layers variational linear layers (widths 1, hidden,
..., hidden, 1), sigma = softplus(rho), weights w = mu + sigma * eps with a
fresh eps every pass, a Monte-Carlo KL sum(log q(w) - log p(w)) against the
N(0, 1) prior, a Gaussian likelihood with sigma 0.1, loss = NLL + KL, Adam
with lr 0.01 on full batches. Init: w_mu ~ N(0, 0.001^2), w_rho ~ N(-2.5,
0.001^2), b_mu = b_rho = 0. Data: --points points on [-3, 3] of the seed's
cubic plus N(0, 1.5^2) noise, 20% held out for validation (the predictive
inputs), as bbb does.

Per size it measures:
  training   --warmup untimed steps, then at most --epochs timed steps in
             chunks of 10 with one loss.item() per chunk (at least 3 chunks;
             it stops after --seconds): per-step step_seconds_median, _min;
             step_seconds_synced_median: 3 steps each timed alone between
             torch.cuda.synchronize() calls (loss.item() after each).
  prediction --samples predictive passes over the validation inputs (4000 at
             20000 points) the way PyTorch users draw a band: a Python loop of
             forward passes under torch.no_grad(), stacked, then the mean and
             the 5% and 95% quantiles per input (bbb's Predict computes the
             same summary), copied to the host: predict_seconds and
             predict_seconds_per_pass = predict_seconds / passes. The passes
             skip the KL, as bbb's forward-only sampling graph does.
             forward_seconds_median (an extra key) is one forward pass timed
             alone, the median of up to 30.

--mode cudagraphs captures the whole training step (forward, backward and
Adam with capturable=True) in one torch.cuda.CUDAGraph after --warmup steps
on a side stream (the PyTorch docs' whole-network capture; the data is
full-batch, so the inputs are static already) and times graph replays; the
predictive passes stay eager. It needs --device cuda; bench.json's "ops" is
"pytorch-cudagraphs" (eager: "pytorch-eager").

Usage:
  python3 scripts/torch_bench.py --device cuda --hidden-sizes 20,128,512,1024 --out out/torch
  bbb bench --hidden-sizes 20,128,512,1024 --compare out/torch/bench.json

Needs python3 and torch only (no network).
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
CHUNK = 10  # training steps timed together (bench/measure.go's Chunk)


def int_list(s):
    try:
        vals = [int(v) for v in s.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a comma-separated list of integers")
    if any(v < 1 for v in vals):
        raise argparse.ArgumentTypeError(f"{s!r}: every value must be >= 1")
    return vals


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", choices=["cuda", "cpu"], default="cuda", help="where the model runs (default cuda)")
    p.add_argument("--mode", choices=["eager", "cudagraphs"], default="eager", help="eager steps, or the whole step replayed from one CUDA graph (--device cuda)")
    p.add_argument("--hidden-sizes", type=int_list, default=[20, 64, 128, 256], help="comma-separated hidden widths (default 20,64,128,256, as bbb bench)")
    p.add_argument("--points-list", type=int_list, default=[20000], help="comma-separated data sizes (default 20000: 16000 training rows, 4000 validation inputs)")
    p.add_argument("--layers", type=int_list, default=[5], help="variational layers, or a comma-separated list (default 5)")
    p.add_argument("--epochs", type=int, default=30, help="timed training steps per size at most (default 30, at least 3)")
    p.add_argument("--seconds", type=float, default=2.0, help="stop timing steps after this many seconds (default 2)")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    p.add_argument("--samples", type=int, default=1000, help="predictive passes timed per size (default 1000)")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0: every core this process may use (default 0)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32", help="default float32")
    p.add_argument("--seed", type=int, default=1, help="torch.manual_seed (default 1)")
    p.add_argument("--out", default="out/torch", help="directory for bench.json (default out/torch)")
    p.add_argument("-q", action="store_true", help="no progress on stderr")
    a = p.parse_args(argv)
    for flag, ok, need in [("--epochs", a.epochs >= 3, "at least 3"), ("--warmup", a.warmup >= 0, "a value >= 0"),
                           ("--samples", a.samples >= 2, "at least 2"), ("--threads", a.threads >= 0, "a value >= 0 (0: all cores)"),
                           ("--seconds", a.seconds > 0 and math.isfinite(a.seconds), "a finite value > 0")]:
        if not ok:
            p.error(f"{flag} {getattr(a, flag[2:])}: need {need}")
    if a.mode == "cudagraphs" and a.device != "cuda":
        p.error("--mode cudagraphs needs --device cuda (CUDA graphs capture GPU kernels)")
    if a.mode == "cudagraphs" and a.warmup < 1:
        p.error("--mode cudagraphs: --warmup must be >= 1 (steps before the capture)")
    if a.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: torch sees no CUDA device (torch.cuda.is_available() is False); use --device cpu")
    return a


def madds(points, hidden, layers):
    """Multiply-adds of the matrix products in one epoch, as bench/report.go's MAdds
    counts them: forward x.w, backward g.w^T (not for the first layer) and x^T.g."""
    rows = points - points // 5
    total = 0.0
    for i in range(layers):
        fan_in = 1 if i == 0 else hidden
        fan_out = 1 if i == layers - 1 else hidden
        total += (2.0 if i == 0 else 3.0) * rows * fan_in * fan_out
    return total


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def log_normal(z, mu, sigma):
    return -LOG_SQRT_2PI - torch.log(sigma) - 0.5 * ((z - mu) / sigma) ** 2


class VariationalLinear(torch.nn.Module):
    """x.w + b with w ~ N(w_mu, softplus(w_rho)^2), b likewise; forward also
    returns the layer's Monte-Carlo KL against N(0, prior_sigma^2)."""

    def __init__(self, fan_in, fan_out, prior_sigma=1.0):
        super().__init__()
        self.w_mu = torch.nn.Parameter(torch.randn(fan_in, fan_out) * 1e-3)
        self.w_rho = torch.nn.Parameter(torch.randn(fan_in, fan_out) * 1e-3 - 2.5)
        self.b_mu = torch.nn.Parameter(torch.zeros(fan_out))
        self.b_rho = torch.nn.Parameter(torch.zeros(fan_out))
        self.prior_sigma = prior_sigma

    def kl(self, z, mu, sigma):
        s = self.prior_sigma
        log_prior = -LOG_SQRT_2PI - math.log(s) - 0.5 * (z / s) ** 2
        return (log_normal(z, mu, sigma) - log_prior).sum()

    def forward(self, x, with_kl=True):
        w_sigma, b_sigma = F.softplus(self.w_rho), F.softplus(self.b_rho)
        w = self.w_mu + w_sigma * torch.randn_like(w_sigma)
        b = self.b_mu + b_sigma * torch.randn_like(b_sigma)
        kl = self.kl(w, self.w_mu, w_sigma) + self.kl(b, self.b_mu, b_sigma) if with_kl else None
        return x @ w + b, kl


class BBB(torch.nn.Module):
    def __init__(self, hidden, layers):
        super().__init__()
        dims = [1] + [hidden] * (layers - 1) + [1]
        self.layers = torch.nn.ModuleList(VariationalLinear(dims[i], dims[i + 1]) for i in range(layers))

    def forward(self, x, with_kl=True):
        kl = 0.0
        for i, layer in enumerate(self.layers):
            x, k = layer(x, with_kl)
            if with_kl:
                kl = kl + k
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x, kl


def make_data(points, dtype, dev, gen):
    """The seed's data: bbb's split sizes (validation = int(0.2 * points))."""
    x = torch.linspace(-3, 3, points, dtype=torch.float64)
    y = 0.2 * x ** 3 - 2 * x ** (2 + 1) + 8 * x + 1.5 * torch.randn(points, generator=gen, dtype=torch.float64)
    n_val = int(points * 0.2)
    perm = torch.randperm(points, generator=gen)
    val, train = perm[:n_val].sort().values, perm[n_val:].sort().values
    col = lambda t: t.to(dtype).unsqueeze(1).to(dev)
    return col(x[train]), col(y[train]), col(x[val])


def bench_one(points, hidden, layers, a, dev, dtype, gen):
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    x, y, x_val = make_data(points, dtype, dev, gen)
    model = BBB(hidden, layers).to(device=dev, dtype=dtype)
    graphs = a.mode == "cudagraphs"
    opt = torch.optim.Adam(model.parameters(), lr=0.01, capturable=graphs)
    lik_sigma = torch.tensor(0.1, device=dev, dtype=dtype)

    def eager_step():
        opt.zero_grad(set_to_none=True)
        out, kl = model(x)
        loss = -log_normal(y, out, lik_sigma).sum() + kl  # n_batch 1: the whole KL
        loss.backward()
        opt.step()
        return loss

    step = eager_step
    if graphs:
        # warm-up on a side stream, then capture one whole step (PyTorch docs, "whole network capture")
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(a.warmup):
                eager_step()
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        opt.zero_grad(set_to_none=True)
        with torch.cuda.graph(graph):
            static_loss = eager_step()

        def step():
            graph.replay()
            return static_loss
    else:
        for _ in range(a.warmup):
            step()
    sync()
    # Timed in chunks of CHUNK steps with one loss read (.item(), which
    # synchronises) per chunk, as a training loop that logs every few steps
    # runs, and as `bbb bench` times bbb: per-step seconds from each chunk.
    times = []
    per = max(1, min(CHUNK, a.epochs // 3))
    start = time.perf_counter()
    for done in range(0, a.epochs - per + 1, per):
        sync()
        t0 = time.perf_counter()
        for _ in range(per):
            loss = step()
        loss.item()
        times.append((time.perf_counter() - t0) / per)
        if len(times) >= 3 and time.perf_counter() - start > a.seconds:
            break
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
    # Three steps alone, each loss read at once (the GPU drained before and after).
    synced = []
    for _ in range(3):
        sync()
        t0 = time.perf_counter()
        step().item()
        synced.append(time.perf_counter() - t0)
    synced.sort()

    with torch.no_grad():
        model(x_val, with_kl=False)  # warm
        fwd = []
        t_start = time.perf_counter()
        while len(fwd) < 30 and (len(fwd) < 3 or time.perf_counter() - t_start < 1):
            sync()
            t0 = time.perf_counter()
            model(x_val, with_kl=False)
            sync()
            fwd.append(time.perf_counter() - t0)
        fwd.sort()

        sync()
        t0 = time.perf_counter()
        trace = torch.stack([model(x_val, with_kl=False)[0].squeeze(1) for _ in range(a.samples)])
        mean = trace.mean(0)
        q = torch.tensor([0.05, 0.95], device=dev, dtype=dtype)
        chunk = max(1, (1 << 24) // a.samples)  # torch.quantile takes at most 2^24 values at once
        bands = [torch.quantile(trace[:, lo:lo + chunk], q, dim=0) for lo in range(0, trace.shape[1], chunk)]
        mean, bands = mean.cpu(), torch.cat(bands, dim=1).cpu()  # on the host, to plot, as bbb's bands are
        sync()
        predict_s = time.perf_counter() - t0
    if not (torch.isfinite(mean).all() and torch.isfinite(bands).all()):
        raise RuntimeError(f"points {points} hidden {hidden} layers {layers}: non-finite predictive band")
    return {
        "points": points, "hidden": hidden, "layers": layers,
        "madds_per_epoch": madds(points, hidden, layers),
        "steps": n * per, "step_seconds_median": med, "step_seconds_min": times[0],
        "step_seconds_synced_median": synced[1],
        "predict_passes": a.samples, "predict_inputs": x_val.shape[0],
        "predict_seconds": predict_s, "predict_seconds_per_pass": predict_s / a.samples,
        "forward_seconds_median": fwd[len(fwd) // 2],
    }


def write_json(path, obj):
    """Atomically: a failed run leaves an earlier bench.json whole."""
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".bench-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    a = parse_args(argv)
    try:
        os.makedirs(a.out, exist_ok=True)
        tempfile.TemporaryFile(dir=a.out).close()
    except OSError as e:
        print(f"torch_bench: --out {a.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    torch.set_num_threads(a.threads if a.threads > 0 else len(os.sched_getaffinity(0)))
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    dev = torch.device(a.device)
    dtype = getattr(torch, a.dtype)
    if dev.type == "cuda":
        name, gemm = torch.cuda.get_device_name(dev), f"torch {torch.__version__}, cuBLAS (CUDA {torch.version.cuda})"
    else:
        name, gemm = cpu_name(), f"torch {torch.__version__}"
    rep = {
        "device": a.device, "device_name": name, "dtype": a.dtype, "ops": "pytorch-" + a.mode, "gemm": gemm,
        "workers": 1, "threads": torch.get_num_threads(), "rows": [],
        "torch_version": torch.__version__, "cuda_version": torch.version.cuda, "mode": a.mode,
    }
    for points in a.points_list:
        for layers in a.layers:
            for hidden in a.hidden_sizes:
                row = bench_one(points, hidden, layers, a, dev, dtype, gen)
                rep["rows"].append(row)
                if not a.q:
                    print(f"torch {a.mode} {a.device} points {points} hidden {hidden} layers {layers}: {row['step_seconds_median']:.4g}s per epoch "
                          f"({row['steps']} steps), {row['predict_seconds_per_pass']:.4g}s per pass ({a.samples} passes in {row['predict_seconds']:.3g}s), "
                          f"one pass alone {row['forward_seconds_median']:.4g}s", file=sys.stderr, flush=True)
    path = os.path.join(a.out, "bench.json")
    write_json(path, rep)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
