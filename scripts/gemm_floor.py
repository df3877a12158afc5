#!/usr/bin/env python3
"""The GEMM floor of one training step of the bench model on this GPU.

A step of the --layers-layer model (widths 1, H, ..., H, 1) on N rows does,
per H x H layer, three FP32 matrix products: the forward x.W ([N,H]x[H,H]),
the input gradient dY.W^T and the weight gradient x^T.dY ([H,N]x[N,H]).
This times exactly those products (torch.mm, cuBLAS, default FP32 math:
no TF32), back to back with CUDA events, and prints the milliseconds a
step needs for them alone: what no backend can go under without changing
the arithmetic. Used by scripts/gpu-check.sh's profile check.

Usage: python3 scripts/gemm_floor.py [--rows 16000] [--hidden-sizes 512,1024] [--layers 5]
"""
import argparse

import torch

p = argparse.ArgumentParser()
p.add_argument("--rows", type=int, default=16000)
p.add_argument("--hidden-sizes", default="512,1024")
p.add_argument("--layers", type=int, default=5)
p.add_argument("--reps", type=int, default=20)
a = p.parse_args()
torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device("cuda")
print("hidden  rows  gemm_ms_per_step  tflops")
for h in [int(v) for v in a.hidden_sizes.split(",")]:
    n = a.rows
    x = torch.randn(n, h, device=dev)
    w = torch.randn(h, h, device=dev)
    dy = torch.randn(n, h, device=dev)
    mids = a.layers - 2  # H x H layers

    def step():
        for _ in range(mids):
            torch.mm(x, w)
            torch.mm(dy, w.t())
            torch.mm(x.t(), dy)

    for _ in range(3):
        step()
    torch.cuda.synchronize()
    t0, t1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    t0.record()
    for _ in range(a.reps):
        step()
    t1.record()
    torch.cuda.synchronize()
    ms = t0.elapsed_time(t1) / a.reps
    flops = 2.0 * 3 * mids * n * h * h
    print(f"{h:6d} {n:5d} {ms:17.3f} {flops / ms / 1e9:7.1f}")
