"""The PyTorch peer of `bbb train --preset mnist`: the seed program's
Bayes-by-Backprop layer (softplus sigma, randn_like epsilon, one-sample MC KL
from log-probabilities) grown to the paper's MNIST model: 784-H-H-10 ReLU,
scale-mixture prior pi N(0, s1^2) + (1-pi) N(0, s2^2), softmax likelihood,
minibatches of 128 with the KL weighted 1/M per minibatch, Adam.
It reads the same idx files as the Go program (the GoMNIST module's data/).
Usage:
  [TORCH_THREADS=N] python3 mnist_bbb.py MNIST_DIR [hidden] [epochs] [train_images]
Prints seconds per epoch (training steps only), the validation error after
each epoch and the test error of the mean softmax over 10 weight draws."""
import gzip, math, os, struct, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

if os.environ.get("TORCH_THREADS"):
    torch.set_num_threads(int(os.environ["TORCH_THREADS"]))
torch.manual_seed(1)
mnist_dir = sys.argv[1]
hidden = int(sys.argv[2]) if len(sys.argv) > 2 else 400
n_epoch = int(sys.argv[3]) if len(sys.argv) > 3 else 1
n_train = int(sys.argv[4]) if len(sys.argv) > 4 else 50000
batch, lr, pi, s1, s2 = 128, 1e-3, 0.5, 1.0, math.exp(-6)

def idx(name):
    with gzip.open(os.path.join(mnist_dir, name)) as f:
        b = f.read()
    magic, n = struct.unpack(">II", b[:8])
    if magic == 0x803:
        r, c = struct.unpack(">II", b[8:16])
        return np.frombuffer(b, np.uint8, offset=16).reshape(n, r*c).astype(np.float32) / 126
    return np.frombuffer(b, np.uint8, offset=8).astype(np.int64)

X, Y = idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz")
Xt, Yt = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz")), torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz"))
x_train, y_train = torch.from_numpy(X[:n_train].copy()), torch.from_numpy(Y[:n_train].copy())
x_val, y_val = torch.from_numpy(X[50000:].copy()), torch.from_numpy(Y[50000:].copy())
M = n_train // batch

def log_mixture(z):
    a1 = math.log(pi) - 0.5*(z/s1)**2 - math.log(s1) - 0.5*math.log(2*math.pi)
    a2 = math.log(1-pi) - 0.5*(z/s2)**2 - math.log(s2) - 0.5*math.log(2*math.pi)
    return torch.logaddexp(a1, a2)

class linear_vi_layer(nn.Module):
    def __init__(self, input_dim, output_dim):
        super().__init__()
        self.w_mu = nn.Parameter(torch.empty(input_dim, output_dim).normal_(0, 0.1))
        self.w_rho = nn.Parameter(torch.full((input_dim, output_dim), -5.0))
        self.b_mu = nn.Parameter(torch.zeros(output_dim))
        self.b_rho = nn.Parameter(torch.full((output_dim,), -5.0))
        self.kl = 0
    def sample(self, mu, rho):
        s = torch.log(1+torch.exp(rho))
        z = mu + s*torch.randn_like(s)
        # log q(z) - log p(z), the seed's kl_div with the mixture prior
        self.kl = self.kl + (torch.distributions.Normal(mu, s).log_prob(z) - log_mixture(z)).sum()
        return z
    def forward(self, x):
        self.kl = 0
        W, B = self.sample(self.w_mu, self.w_rho), self.sample(self.b_mu, self.b_rho)
        return torch.matmul(x, W) + B

layers = [linear_vi_layer(784, hidden), linear_vi_layer(hidden, hidden), linear_vi_layer(hidden, 10)]
model = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])
opt = torch.optim.Adam(model.parameters(), lr=lr)

def error(x, y, k):
    with torch.no_grad():
        p = sum(F.softmax(model(x), 1) for _ in range(k)) / k
    return float((p.argmax(1) != y).float().mean())

train_s = 0.0
for epoch in range(1, n_epoch+1):
    t0 = time.perf_counter()
    perm = torch.randperm(n_train)
    total = 0.0
    for i in range(M):
        idx_b = perm[i*batch:(i+1)*batch]
        logits = model(x_train[idx_b])
        nll = F.cross_entropy(logits, y_train[idx_b], reduction="sum")
        loss = nll + sum(l.kl for l in layers) / M
        opt.zero_grad(); loss.backward(); opt.step()
        total += float(loss)
    dt = time.perf_counter() - t0
    train_s += dt
    print("epoch %d: %.3f s, train loss per image %.4f, val error %.4f" % (epoch, dt, total/(M*batch), error(x_val, y_val, 1)), flush=True)
print("train_s_per_epoch %.4f" % (train_s/n_epoch))
print("test_error_10 %.4f" % error(Xt, Yt, 10))
