#!/usr/bin/python3
"""PyTorch baseline for bench/stdb-epoch.sh: STDB fine-tuning (Rathi et al.
2020) of the VGG-like test model as an IF spiking network, written the way the
authors' code does it: step-by-step simulation in eager PyTorch, a custom
autograd function for the STDB surrogate alpha*exp(-beta*dt), subtract reset
without gradient, accumulating readout, cross-entropy on accumulated / T,
Adam, batch B, T steps, direct input. Weights from tests/models/
vgg_avgpool.onnx; thresholds from the balanced snn module (passed on the
command line). Trains on the first IMAGES Fashion-MNIST training images and
prints one JSON line: images per second and seconds.

usage: torch_stdb.py MODEL.onnx THREADS BATCH T IMAGES TH1,TH2,TH3,TH4
"""
import gzip
import json
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

ALPHA, BETA = 0.3, 0.01


class STDB(torch.autograd.Function):
    @staticmethod
    def forward(ctx, mem_thr, age):
        ctx.save_for_backward(age)
        return (mem_thr >= 0).float()

    @staticmethod
    def backward(ctx, grad):
        (age,) = ctx.saved_tensors
        return grad * ALPHA * torch.exp(-BETA * age), None


def load_images(count):
    d = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(d + "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(d + "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    x = torch.from_numpy(x[: count * 784].reshape(count, 1, 28, 28).astype(np.float32) / 255)
    return x, torch.from_numpy(y[:count].astype(np.int64))


def main():
    model, threads, batch, steps, images, ths = sys.argv[1:7]
    threads, batch, steps, images = int(threads), int(batch), int(steps), int(images)
    th = [float(v) for v in ths.split(",")]
    torch.set_num_threads(threads)
    w = {i.name: torch.nn.Parameter(torch.from_numpy(numpy_helper.to_array(i).copy()))
         for i in onnx.load(model).graph.initializer}
    opt = torch.optim.Adam(w.values(), lr=1e-4, weight_decay=5e-4)
    xs, ys = load_images(images)

    def forward(x):
        n = x.shape[0]
        mem = [None] * 4
        last = [None] * 4
        out = torch.zeros(n, 10)
        for t in range(steps):
            for k in range(4):
                if k == 0:
                    cur = F.conv2d(x, w["c1.weight"], w["c1.bias"], padding=1)
                elif k == 1:
                    cur = F.conv2d(s, w["c2.weight"], w["c2.bias"], padding=1)
                elif k == 2:
                    cur = F.conv2d(F.avg_pool2d(s, 2), w["c3.weight"], w["c3.bias"], padding=1)
                else:
                    cur = F.linear(torch.flatten(F.avg_pool2d(s, 2), 1), w["fc1.weight"], w["fc1.bias"])
                if mem[k] is None:
                    mem[k] = torch.zeros_like(cur)
                    last[k] = torch.full_like(cur, -1000.0)
                mem[k] = mem[k] + cur
                s = STDB.apply(mem[k] / th[k] - 1.0, t - last[k])
                last[k] = torch.where(s.detach() > 0, torch.full_like(cur, float(t)), last[k])
                mem[k] = mem[k] - th[k] * s.detach()
            out = out + F.linear(s, w["fc2.weight"], w["fc2.bias"])
        return out

    def train_batch(i):
        x, y = xs[i:i + batch], ys[i:i + batch]
        opt.zero_grad()
        loss = F.cross_entropy(forward(x) / steps, y)
        loss.backward()
        opt.step()

    train_batch(0)  # warm-up
    start = time.perf_counter()
    done = 0
    while done + batch <= images:
        train_batch(done)
        done += batch
    secs = time.perf_counter() - start
    print(json.dumps({"images_per_second": done / secs, "seconds": secs,
                      "images": done, "threads": threads}))


if __name__ == "__main__":
    main()
