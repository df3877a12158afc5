#!/usr/bin/env python3
"""The PyTorch peer of `bbb train --preset mnist`: the same model, data split,
minibatch order rule, initialisation and epoch definition, for timing and
quality side by side (eager PyTorch, or the whole training step captured in
one CUDA graph).

Model (Blundell et al. 2015, section 5.1, as bbb's preset): 784-H-H-10 ReLU,
every weight and bias w = mu + softplus(rho) * eps with a fresh eps per step;
the one-sample Monte-Carlo KL sum(log q(w) - log p(w)) against the
scale-mixture prior 0.5 N(0, 1) + 0.5 N(0, e^-12) (--prior-pi/-sigma1/-sigma2)
or --prior normal (N(0, --prior-sigma^2)); softmax likelihood; loss per
minibatch = summed NLL of its 128 images + KL / M (M minibatches per epoch);
Adam (beta 0.9, 0.999, eps 1e-8) at 1e-3, multiplied by --lr-gamma after
each epoch of --lr-milestones (default 40,52, as the preset).
Init: w_mu ~ N(0, 0.1^2), b_mu = 0, every rho = -5 (job.MNISTInit).
Data: the GoMNIST idx files (gzipped or not), pixels / 126; training images
0..train_n-1, validation 50000..50000+val_n-1, the first test_n test images.
Epoch: floor(train_n / batch) minibatches (the remainder dropped, as
train/batch.go), from a fresh permutation of the training images each
epoch, drawn from a generator seeded once with --seed (bbb draws its own
from PCG(seed): the rule is the same, the order is not).

Modes:
  eager       the step as a PyTorch user writes it.
  cudagraphs  the whole step (minibatch gather, forward, backward, Adam with
              capturable=True) captured once in a torch.cuda.CUDAGraph on
              static buffers, after warm-up steps on a side stream (the
              PyTorch docs' whole-network capture); the warm-up's updates
              are undone before the first replay, so the run takes the same
              steps as eager. A learning-rate milestone captures again.
              --device cpu: refused (exit 2).
  compile     torch.compile(mode="reduce-overhead") of the loss (torch >= 2;
              CUDA graphs via Inductor); backward and Adam eager.

Timing: each epoch's training steps only, between torch.cuda.synchronize()
calls; seconds_per_epoch is the median over the epochs after the first (the
first alone with one epoch). Validation (--val-every) is outside it.
Test error: of the mean softmax over --samples weight draws.

Usage:
  python3 scripts/peer/mnist_bbb.py --mnist-dir DIR --hidden 1200 --epochs 3 \\
      --device cuda --mode cudagraphs --json out.json
  python3 scripts/peer/mnist_bbb.py DIR [hidden] [epochs] [train_images]   # the older form
Prints one line per epoch, then train_s_per_epoch (mean over all epochs),
seconds_per_epoch (the median above) and test_error_K; --json writes them
with every setting.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
MNIST_TRAIN = 50000  # data.MNISTTrain: validation starts at training image 50000
MNIST_SCALE = 126.0  # data.MNISTScale
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


class Refused(Exception):
    """A setting this program cannot run: one line, exit 2."""


def int_list(s):
    if s.strip() == "":
        return []
    try:
        v = [int(x) for x in s.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a comma-separated list of integers")
    if any(a < 1 for a in v) or any(b <= a for a, b in zip(v, v[1:])):
        raise argparse.ArgumentTypeError(f"{s!r}: want increasing epochs >= 1")
    return v


def default_mnist_dir():
    gomod = os.environ.get("GOMODCACHE") or os.path.join(os.environ.get("GOPATH") or os.path.expanduser("~/go"), "pkg", "mod")
    return os.path.join(gomod, "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63", "data")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("legacy", nargs="*", help=argparse.SUPPRESS)  # MNIST_DIR [hidden] [epochs] [train_images]
    p.add_argument("--mnist-dir", default=None, help="folder of the four idx files, .gz or not (default: the GoMNIST module's data/ in the Go module cache)")
    p.add_argument("--hidden", type=int, default=400, help="units per hidden layer (default 400)")
    p.add_argument("--epochs", type=int, default=60, help="epochs (default 60, as the preset)")
    p.add_argument("--train-n", type=int, default=MNIST_TRAIN, help="training images, the first N (default 50000)")
    p.add_argument("--val-n", type=int, default=10000, help="validation images from 50000 (default 10000)")
    p.add_argument("--test-n", type=int, default=10000, help="test images, the first N (default 10000)")
    p.add_argument("--batch-size", type=int, default=128, help="default 128")
    p.add_argument("--prior", choices=["mixture", "normal"], default="mixture")
    p.add_argument("--prior-pi", type=float, default=0.5)
    p.add_argument("--prior-sigma1", type=float, default=1.0)
    p.add_argument("--prior-sigma2", type=float, default=math.exp(-6), help="default e^-6 (variance e^-12)")
    p.add_argument("--prior-sigma", type=float, default=1.0, help="--prior normal: N(0, s^2) (default 1)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-milestones", type=int_list, default=[40, 52], help='epochs after which the rate is multiplied by --lr-gamma (default 40,52; "" constant)')
    p.add_argument("--lr-gamma", type=float, default=0.1)
    p.add_argument("--samples", type=int, default=10, help="weight draws for the test error (default 10; bbb's preset: 100)")
    p.add_argument("--val-every", type=int, default=1, help="validation error (one draw) every N epochs, untimed; 0: never (default 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--mode", choices=["eager", "cudagraphs", "compile"], default="eager")
    p.add_argument("--warmup", type=int, default=3, help="cudagraphs: warm-up steps before a capture (default 3, undone)")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0: $TORCH_THREADS or torch's default")
    p.add_argument("--json", default=None, help="write the results and settings here")
    p.add_argument("-q", action="store_true", help="no per-epoch lines")
    a = p.parse_args(argv)
    if a.legacy:
        if len(a.legacy) > 4:
            p.error("at most 4 positional arguments: MNIST_DIR [hidden] [epochs] [train_images]")
        a.mnist_dir = a.legacy[0]
        a.epochs = 1
        for name, v in zip(["hidden", "epochs", "train_n"], a.legacy[1:]):
            try:
                setattr(a, name, int(v))
            except ValueError:
                p.error(f"{name} {v!r}: not an integer")
    a.mnist_dir = a.mnist_dir or default_mnist_dir()
    for flag, ok, need in [
        ("--hidden", a.hidden >= 1, ">= 1"), ("--epochs", a.epochs >= 1, ">= 1"),
        ("--train-n", 1 <= a.train_n <= MNIST_TRAIN, "1 to 50000"), ("--val-n", 1 <= a.val_n <= 10000, "1 to 10000"),
        ("--test-n", 1 <= a.test_n <= 10000, "1 to 10000"), ("--batch-size", 1 <= a.batch_size <= a.train_n, "1 to --train-n"),
        ("--samples", a.samples >= 1, ">= 1"), ("--val-every", a.val_every >= 0, ">= 0"), ("--warmup", a.warmup >= 1, ">= 1"),
        ("--lr", a.lr > 0 and math.isfinite(a.lr), "a finite value > 0"), ("--lr-gamma", a.lr_gamma > 0, "> 0"),
        ("--prior-pi", 0 < a.prior_pi < 1, "in (0, 1)"), ("--prior-sigma1", a.prior_sigma1 > 0, "> 0"),
        ("--prior-sigma2", a.prior_sigma2 > 0, "> 0"), ("--prior-sigma", a.prior_sigma > 0, "> 0"),
        ("--threads", a.threads >= 0, ">= 0")]:
        if not ok:
            p.error(f"{flag} {getattr(a, flag[2:].replace('-', '_'))}: need {need}")
    return a


def check_mode(a):
    """The mode's refusals, before any data is read."""
    if a.mode == "cudagraphs" and a.device != "cuda":
        raise Refused("--mode cudagraphs needs --device cuda (CUDA graphs capture GPU kernels; on the CPU use --mode eager)")
    if a.device == "cuda" and not torch.cuda.is_available():
        raise Refused("--device cuda: torch sees no CUDA device (torch.cuda.is_available() is False)")
    if a.mode == "compile" and not hasattr(torch, "compile"):
        raise Refused(f"--mode compile needs torch >= 2 (torch.compile); this is torch {torch.__version__}")


# ---- data ----------------------------------------------------------------

def read_idx(path):
    """An idx file, path or path + '.gz': images as float32 [n, 784] / 126, labels int64 [n]."""
    for name in (path + ".gz", path):
        if os.path.exists(name):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(name, "rb") as f:
                b = f.read()
            break
    else:
        raise Refused(f"--mnist-dir: {path}.gz (or {os.path.basename(path)}) is missing")
    magic, n = struct.unpack(">II", b[:8])
    if magic == 0x803:
        r, c = struct.unpack(">II", b[8:16])
        return np.frombuffer(b, np.uint8, offset=16).reshape(n, r * c).astype(np.float32) / MNIST_SCALE
    if magic == 0x801:
        return np.frombuffer(b, np.uint8, offset=8).astype(np.int64)
    raise Refused(f"{path}: idx magic {magic:#x}, want 0x803 or 0x801")


def load_mnist(d, train_n, val_n, test_n):
    X, Y, Xt, Yt = (read_idx(os.path.join(d, f)) for f in FILES)
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    return {"x_train": t(X[:train_n]), "y_train": t(Y[:train_n]),
            "x_val": t(X[MNIST_TRAIN:MNIST_TRAIN + val_n]), "y_val": t(Y[MNIST_TRAIN:MNIST_TRAIN + val_n]),
            "x_test": t(Xt[:test_n]), "y_test": t(Yt[:test_n])}


def steps_per_epoch(n, batch):
    """train/batch.go's stepMulti: n // batch minibatches, the remainder dropped."""
    return n // batch


def epoch_order(n, batch, gen):
    """One epoch's minibatch indices: a fresh permutation, cut into
    steps_per_epoch(n, batch) rows of batch (the remainder dropped)."""
    m = steps_per_epoch(n, batch)
    return torch.randperm(n, generator=gen)[:m * batch].view(m, batch)


# ---- model ---------------------------------------------------------------

class Prior:
    def __init__(self, kind="mixture", pi=0.5, sigma1=1.0, sigma2=math.exp(-6), sigma=1.0):
        self.kind, self.pi, self.s1, self.s2, self.s = kind, pi, sigma1, sigma2, sigma

    def log_prob(self, z):
        if self.kind == "normal":
            return -LOG_SQRT_2PI - math.log(self.s) - 0.5 * (z / self.s) ** 2
        a1 = math.log(self.pi) - LOG_SQRT_2PI - math.log(self.s1) - 0.5 * (z / self.s1) ** 2
        a2 = math.log(1 - self.pi) - LOG_SQRT_2PI - math.log(self.s2) - 0.5 * (z / self.s2) ** 2
        return torch.logaddexp(a1, a2)

    def settings(self):
        if self.kind == "normal":
            return {"prior": "normal", "prior_sigma": self.s}
        return {"prior": "mixture", "prior_pi": self.pi, "prior_sigma1": self.s1, "prior_sigma2": self.s2}


def mc_kl(z, mu, sigma, prior):
    """One-sample KL estimate sum(log q(z) - log p(z)), q = N(mu, sigma^2)."""
    log_q = -LOG_SQRT_2PI - torch.log(sigma) - 0.5 * ((z - mu) / sigma) ** 2
    return (log_q - prior.log_prob(z)).sum()


class BayesLinear(torch.nn.Module):
    def __init__(self, fan_in, fan_out, w_mu_std=0.1, rho=-5.0):
        super().__init__()
        self.w_mu = torch.nn.Parameter(torch.empty(fan_in, fan_out).normal_(0, w_mu_std))
        self.w_rho = torch.nn.Parameter(torch.full((fan_in, fan_out), rho))
        self.b_mu = torch.nn.Parameter(torch.zeros(fan_out))
        self.b_rho = torch.nn.Parameter(torch.full((fan_out,), rho))

    def forward(self, x, prior=None, eps=None):
        """x.w + b for one draw (eps: (w_eps, b_eps), else fresh N(0, 1);
        zeros: the posterior means), and the draw's KL when prior is given."""
        ws, bs = F.softplus(self.w_rho), F.softplus(self.b_rho)
        we, be = eps if eps is not None else (torch.randn_like(ws), torch.randn_like(bs))
        w, b = self.w_mu + ws * we, self.b_mu + bs * be
        kl = mc_kl(w, self.w_mu, ws, prior) + mc_kl(b, self.b_mu, bs, prior) if prior is not None else None
        return x @ w + b, kl


class BBBMLP(torch.nn.Module):
    def __init__(self, hidden, inputs=784, classes=10, layers=3):
        super().__init__()
        dims = [inputs] + [hidden] * (layers - 1) + [classes]
        self.layers = torch.nn.ModuleList(BayesLinear(dims[i], dims[i + 1]) for i in range(layers))

    def forward(self, x, prior=None):
        kl = 0.0
        for i, layer in enumerate(self.layers):
            x, k = layer(x, prior)
            if prior is not None:
                kl = kl + k
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x, kl


def neg_elbo(model, x, y, prior, kl_weight):
    """The minibatch's loss: summed NLL + kl_weight * KL (kl_weight = 1/M)."""
    logits, kl = model(x, prior)
    return F.cross_entropy(logits, y, reduction="sum") + kl_weight * kl


def make_optimizer(model, lr, capturable=False):
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, capturable=capturable)


def step_body(model, opt, x_train, y_train, idx, prior, kl_weight, loss_fn=neg_elbo):
    """One training step on the minibatch idx, gathered from the resident
    data: the same code eager runs and cudagraphs captures."""
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model, x_train.index_select(0, idx), y_train.index_select(0, idx), prior, kl_weight)
    loss.backward()
    opt.step()
    return loss.detach()


class EagerStep:
    def __init__(self, model, opt, x_train, y_train, prior, kl_weight, loss_fn=neg_elbo):
        self.args = (model, opt, x_train, y_train)
        self.prior, self.kl_weight, self.loss_fn = prior, kl_weight, loss_fn

    def __call__(self, idx):
        m, o, x, y = self.args
        return step_body(m, o, x, y, idx, self.prior, self.kl_weight, self.loss_fn)

    def set_lr(self, lr):
        for g in self.args[1].param_groups:
            g["lr"] = lr


class GraphedStep:
    """step_body on a static index buffer, captured in one CUDA graph
    (capture=False: the same calls without the graph, for a CPU test).
    Before a capture: warm-up steps on a side stream (lazy Adam state,
    cuBLAS handles), then the parameters and Adam state are put back as
    they were, in place (the graph holds their addresses)."""

    def __init__(self, model, opt, x_train, y_train, prior, kl_weight, batch, warmup=3, capture=True):
        self.model, self.opt, self.x, self.y = model, opt, x_train, y_train
        self.prior, self.kl_weight, self.warmup, self.capture = prior, kl_weight, warmup, capture
        self.static_idx = torch.zeros(batch, dtype=torch.int64, device=x_train.device)
        self.static_loss = None
        self.graph = None
        self.captures = 0

    def _snapshot(self):
        params = [p.detach().clone() for p in self.model.parameters()]
        state = {id(t): t.detach().clone() for s in self.opt.state.values() for t in s.values() if torch.is_tensor(t)}
        return params, state

    def _restore(self, snap):
        params, state = snap
        with torch.no_grad():
            for p, v in zip(self.model.parameters(), params):
                p.copy_(v)
            for s in self.opt.state.values():
                for t in s.values():
                    if torch.is_tensor(t):
                        # a state tensor the warm-up created starts at zero: Adam's fresh state
                        t.copy_(state[id(t)]) if id(t) in state else t.zero_()

    def _capture(self):
        snap = self._snapshot()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(self.warmup):
                step_body(self.model, self.opt, self.x, self.y, self.static_idx, self.prior, self.kl_weight)
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        self.opt.zero_grad(set_to_none=True)
        with torch.cuda.graph(self.graph):
            self.static_loss = step_body(self.model, self.opt, self.x, self.y, self.static_idx, self.prior, self.kl_weight)
        self._restore(snap)
        self.captures += 1

    def __call__(self, idx):
        self.static_idx.copy_(idx)
        if not self.capture:
            return step_body(self.model, self.opt, self.x, self.y, self.static_idx, self.prior, self.kl_weight)
        if self.graph is None:
            self._capture()
        self.graph.replay()
        return self.static_loss

    def set_lr(self, lr):
        """A captured Adam has its rate baked in: the next step captures again."""
        changed = any(g["lr"] != lr for g in self.opt.param_groups)
        for g in self.opt.param_groups:
            g["lr"] = lr
        if changed:
            self.graph = None


def lr_at(epoch, a):
    """The rate of 1-based epoch: --lr times gamma per milestone before it (MultiStepLR)."""
    return a.lr * a.lr_gamma ** sum(1 for m in a.lr_milestones if epoch > m)


def error(model, x, y, k, chunk=10000):
    """Error of the mean softmax over k weight draws (each draw over all of x)."""
    with torch.no_grad():
        p = torch.zeros(x.shape[0], 10, device=x.device)
        for _ in range(k):
            # one weight draw for every chunk: eps drawn once per draw
            eps = [(torch.randn_like(l.w_rho), torch.randn_like(l.b_rho)) for l in model.layers]
            outs = []
            for lo in range(0, x.shape[0], chunk):
                h = x[lo:lo + chunk]
                for i, l in enumerate(model.layers):
                    h, _ = l(h, None, eps[i])
                    if i < len(model.layers) - 1:
                        h = torch.relu(h)
                outs.append(h)
            p += F.softmax(torch.cat(outs), 1)
        return float((p.argmax(1) != y).float().mean())


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def run(a, out=sys.stdout):
    check_mode(a)
    threads = a.threads or int(os.environ.get("TORCH_THREADS", "0") or 0)
    if threads:
        torch.set_num_threads(threads)
    dev = torch.device(a.device)
    torch.manual_seed(a.seed)  # init and every eps (CPU and CUDA generators)
    gen = torch.Generator().manual_seed(a.seed)  # the minibatch order
    d = {k: v.to(dev) for k, v in load_mnist(a.mnist_dir, a.train_n, a.val_n, a.test_n).items()}
    prior = Prior(a.prior, a.prior_pi, a.prior_sigma1, a.prior_sigma2, a.prior_sigma)
    model = BBBMLP(a.hidden).to(dev)
    M = steps_per_epoch(a.train_n, a.batch_size)
    kl_weight = 1.0 / M
    opt = make_optimizer(model, lr_at(1, a), capturable=(a.mode == "cudagraphs"))
    if a.mode == "cudagraphs":
        step = GraphedStep(model, opt, d["x_train"], d["y_train"], prior, kl_weight, a.batch_size, a.warmup)
    elif a.mode == "compile":
        step = EagerStep(model, opt, d["x_train"], d["y_train"], prior, kl_weight,
                         loss_fn=torch.compile(neg_elbo, mode="reduce-overhead"))
    else:
        step = EagerStep(model, opt, d["x_train"], d["y_train"], prior, kl_weight)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    epoch_s, losses, val_errors = [], [], []
    for epoch in range(1, a.epochs + 1):
        step.set_lr(lr_at(epoch, a))
        order = epoch_order(a.train_n, a.batch_size, gen).to(dev)
        sync()
        t0 = time.perf_counter()
        total = torch.zeros((), device=dev)
        for i in range(M):
            total += step(order[i])
        sync()
        dt = time.perf_counter() - t0
        total = float(total)
        if not math.isfinite(total):
            raise RuntimeError(f"epoch {epoch}: training loss is {total}")
        epoch_s.append(dt)
        losses.append(total / (M * a.batch_size))
        line = f"epoch {epoch}: {dt:.3f} s, train loss per image {losses[-1]:.4f}"
        if a.val_every and (epoch % a.val_every == 0 or epoch == a.epochs):
            val_errors.append([epoch, error(model, d["x_val"], d["y_val"], 1)])
            line += f", val error {val_errors[-1][1]:.4f}"
        if not a.q:
            print(line, file=out, flush=True)
    test_error = error(model, d["x_test"], d["y_test"], a.samples)
    spe = median(epoch_s[1:] if len(epoch_s) > 1 else epoch_s)
    res = {
        "seconds_per_epoch": spe, "train_s_per_epoch_mean": sum(epoch_s) / len(epoch_s), "epoch_seconds": epoch_s,
        "test_error": test_error, "test_samples": a.samples, "train_loss_per_image": losses, "val_error": val_errors,
        "steps_per_epoch": M,
        "settings": {
            "mode": a.mode, "device": a.device, "hidden": a.hidden, "layers": 3, "epochs": a.epochs, "train_n": a.train_n,
            "val_n": a.val_n, "test_n": a.test_n, "batch_size": a.batch_size, **prior.settings(), "kl": "mc",
            "kl_weight": "1/M", "lr": a.lr, "lr_milestones": a.lr_milestones, "lr_gamma": a.lr_gamma, "seed": a.seed,
            "init": {"w_mu_std": 0.1, "rho": -5.0, "b_mu": 0.0}, "pixel_scale": MNIST_SCALE, "dtype": "float32",
            "threads": torch.get_num_threads(), "mnist_dir": os.path.abspath(a.mnist_dir),
            "captures": getattr(step, "captures", 0),
        },
        "torch_version": torch.__version__, "cuda_version": torch.version.cuda,
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
    }
    print(f"train_s_per_epoch {res['train_s_per_epoch_mean']:.4f}", file=out)
    print(f"seconds_per_epoch {spe:.4f}", file=out)
    print(f"test_error_{a.samples} {test_error:.4f}", file=out)
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")
    return res


def main(argv):
    a = parse_args(argv)
    try:
        run(a)
    except Refused as e:
        print(f"mnist_bbb.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
