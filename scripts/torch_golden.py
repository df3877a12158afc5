#!/usr/bin/env python3
"""Independent goldens for graph/golden_test.go: loss and every gradient of
small Bayes-by-Backprop networks, computed by PyTorch autograd (float64)
from the model's definition, not from this project's code.

The model (README, "What this is"): per layer, sigma = softplus(rho),
w = w_mu + sigma * w_eps, b = b_mu + softplus(b_rho) * b_eps,
out = x @ w + b, ReLU on every layer but the last;
KL = sum over all w and b of log N(w; mu, sigma) - log N(w; prior_mu, prior_sigma);
NLL = -sum log N(y; out, likelihood_sigma); negative ELBO = NLL + KL / n_batch.
Gradients are d(negative ELBO)/d(w_mu, w_rho, b_mu, b_rho) with epsilon held
fixed. Inputs (x, y, parameters, epsilon) are drawn here with numpy's seeded
generator and written to the same file, so the Go test builds its graphs
from them.

Run with `make goldens` (needs python3 with torch and numpy, e.g. Debian's
python3-torch: /usr/bin/python3); writes graph/testdata/torch_golden.json.
"""
import json
import os
import sys

import numpy as np
import torch

CASES = [
    # name, layers, hidden, inputs, outputs, rows, n_batch, prior (mu, sigma), likelihood sigma
    dict(name="three-layers", layers=3, hidden=6, inputs=1, outputs=1, rows=13, n_batch=1.0, prior=(0.0, 1.0), lik_sigma=0.5),
    dict(name="nbatch-prior-2in-2out", layers=2, hidden=5, inputs=2, outputs=2, rows=9, n_batch=4.0, prior=(0.2, 0.5), lik_sigma=1.0),
    dict(name="one-layer", layers=1, hidden=20, inputs=1, outputs=1, rows=7, n_batch=1.0, prior=(0.0, 1.0), lik_sigma=0.1),
    dict(name="seed-shape", layers=5, hidden=20, inputs=1, outputs=1, rows=40, n_batch=1.0, prior=(0.0, 1.0), lik_sigma=0.1),
]


def widths(c, i):
    fan_in = c["inputs"] if i == 0 else c["hidden"]
    fan_out = c["outputs"] if i == c["layers"] - 1 else c["hidden"]
    return fan_in, fan_out


def normal_log_prob(z, mu, sigma):
    return -0.5 * ((z - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * np.log(2 * np.pi)


def run(c, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(c["rows"], c["inputs"]))
    y = rng.normal(size=(c["rows"], c["outputs"]))
    params, eps = {}, {}
    for i in range(c["layers"]):
        fi, fo = widths(c, i)
        # spread wide enough that every ReLU sees both signs
        params[f"w_mu{i}"] = rng.normal(0, 0.7, size=(fi, fo))
        params[f"w_rho{i}"] = rng.normal(-1, 0.3, size=(fi, fo))
        params[f"b_mu{i}"] = rng.normal(0.1, 0.3, size=(fo,))
        params[f"b_rho{i}"] = rng.normal(-0.5, 0.3, size=(fo,))
        eps[f"w_eps{i}"] = rng.normal(size=(fi, fo))
        eps[f"b_eps{i}"] = rng.normal(size=(fo,))

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    e = {k: torch.tensor(v, dtype=torch.float64) for k, v in eps.items()}
    h = torch.tensor(x, dtype=torch.float64)
    pmu = torch.tensor(c["prior"][0], dtype=torch.float64)
    psig = torch.tensor(c["prior"][1], dtype=torch.float64)
    kl = torch.zeros((), dtype=torch.float64)
    for i in range(c["layers"]):
        ws = torch.nn.functional.softplus(t[f"w_rho{i}"])
        bs = torch.nn.functional.softplus(t[f"b_rho{i}"])
        w = t[f"w_mu{i}"] + ws * e[f"w_eps{i}"]
        b = t[f"b_mu{i}"] + bs * e[f"b_eps{i}"]
        for z, mu, s in ((w, t[f"w_mu{i}"], ws), (b, t[f"b_mu{i}"], bs)):
            kl = kl + (normal_log_prob(z, mu, s) - normal_log_prob(z, pmu, psig)).sum()
        h = h @ w + b
        if i < c["layers"] - 1:
            h = torch.relu(h)
    yt = torch.tensor(y, dtype=torch.float64)
    nll = -normal_log_prob(yt, h, torch.tensor(c["lik_sigma"], dtype=torch.float64)).sum()
    loss = nll + kl / c["n_batch"]
    loss.backward()
    order = []
    for i in range(c["layers"]):
        order += [f"w_mu{i}", f"w_rho{i}", f"b_mu{i}", f"b_rho{i}"]
    flat = lambda a: [float(v) for v in np.asarray(a).reshape(-1)]
    return {
        "name": c["name"], "layers": c["layers"], "hidden": c["hidden"], "inputs": c["inputs"],
        "outputs": c["outputs"], "rows": c["rows"], "n_batch": c["n_batch"],
        "prior_mu": c["prior"][0], "prior_sigma": c["prior"][1], "likelihood_sigma": c["lik_sigma"],
        "x": flat(x), "y": flat(y),
        "params": [{"name": k, "values": flat(params[k])} for k in order],
        "eps": [{"name": k, "values": flat(eps[k])} for i in range(c["layers"]) for k in (f"w_eps{i}", f"b_eps{i}")],
        "loss": float(loss), "nll": float(nll), "kl": float(kl),
        "grads": [{"name": k, "values": flat(t[k].grad.numpy())} for k in order],
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "graph", "testdata", "torch_golden.json")
    recs = [run(c, 100 + i) for i, c in enumerate(CASES)]
    doc = {"generator": f"scripts/torch_golden.py, torch {torch.__version__}, numpy {np.__version__}, float64 autograd", "cases": recs}
    with open(out, "w") as f:  # one line per case: small, and diffs show which case moved
        f.write('{"generator": %s,\n "cases": [\n' % json.dumps(doc["generator"]))
        f.write(",\n".join("  " + json.dumps(r) for r in recs))
        f.write("\n ]\n}\n")
    print(f"wrote {out}: {len(recs)} cases")


if __name__ == "__main__":
    main()
