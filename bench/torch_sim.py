#!/usr/bin/python3
"""PyTorch baseline for bench/sim-throughput.sh: the VGG-like test model as an
IF spiking network (direct input, subtract reset, accumulating readout),
simulated step by step in eager PyTorch, batch B for T steps. Weights come
from tests/models/vgg_avgpool.onnx; thresholds from the balanced snn module's
values passed on the command line (they do not change the work done).
Prints one JSON line: images per second and total seconds.

usage: torch_sim.py MODEL.onnx THREADS BATCH T IMAGES TH1,TH2,TH3,TH4
"""
import json
import sys
import time

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def main():
    model, threads, batch, steps, images, ths = sys.argv[1:7]
    threads, batch, steps, images = int(threads), int(batch), int(steps), int(images)
    th = [float(v) for v in ths.split(",")]
    torch.set_num_threads(threads)
    w = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
         for i in onnx.load(model).graph.initializer}
    x = torch.rand(batch, 1, 28, 28)

    @torch.no_grad()
    def simulate(x):
        u = [None] * 4
        out = torch.zeros(batch, 10)
        for _ in range(steps):
            cur = F.conv2d(x, w["c1.weight"], w["c1.bias"], padding=1)
            spikes = []
            for k, layer in enumerate(range(4)):
                if k == 1:
                    cur = F.conv2d(s, w["c2.weight"], w["c2.bias"], padding=1)
                elif k == 2:
                    cur = F.conv2d(F.avg_pool2d(s, 2), w["c3.weight"], w["c3.bias"], padding=1)
                elif k == 3:
                    cur = F.linear(torch.flatten(F.avg_pool2d(s, 2), 1), w["fc1.weight"], w["fc1.bias"])
                u[k] = cur if u[k] is None else u[k] + cur
                s = (u[k] >= th[k]).float()
                u[k] -= th[k] * s
            out += F.linear(s, w["fc2.weight"], w["fc2.bias"])
        return out

    simulate(x)  # warm-up
    start = time.perf_counter()
    done = 0
    while done < images:
        simulate(x)
        done += batch
    secs = time.perf_counter() - start
    print(json.dumps({"images_per_second": done / secs, "seconds": secs,
                      "images": done, "threads": threads}))


if __name__ == "__main__":
    main()
