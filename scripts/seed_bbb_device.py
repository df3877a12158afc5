"""Runs the PyTorch peer (scripts/peer/seed_bbb.py) unchanged on another
device: DEVICE=cuda (default) or cpu. The peer binds Tensor = torch.FloatTensor
and calls .numpy() on results; here Tensor makes float32 tensors on DEVICE and
.numpy() copies to the host first. Other arguments and environment variables
(epochs, TORCH_THREADS, VAL_EVERY, FULL_JOB) pass through.
Usage: DEVICE=cuda PEER=path/to/seed_bbb.py python3 seed_bbb_device.py [epochs]"""
import os
import runpy
import sys

import torch

device = torch.device(os.environ.get("DEVICE", "cuda"))
peer = os.environ.get("PEER", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers", "seed_bbb.py"))


def tensor(*args):
    """torch.FloatTensor's two uses in the peer: a shape, or data."""
    if all(isinstance(a, int) for a in args):
        return torch.empty(*args, dtype=torch.float32, device=device)
    return torch.as_tensor(args[0], dtype=torch.float32, device=device)


torch.FloatTensor = tensor
_numpy = torch.Tensor.numpy
torch.Tensor.numpy = lambda self, *a, **k: _numpy(self.detach().cpu(), *a, **k)
if device.type == "cuda":
    print("device", torch.cuda.get_device_name(0), flush=True)
sys.argv = [peer] + sys.argv[1:]
runpy.run_path(peer, run_name="__main__")
if device.type == "cuda":
    torch.cuda.synchronize()
