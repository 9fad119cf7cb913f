#!/usr/bin/env python3
"""Exports torchvision 0.14 classifiers to ONNX as a new user would, for
bench/torchvision-models.sh: random weights (seeded), batch-norm statistics
made non-trivial, torch.onnx.export at opset 13 with a dynamic batch. Writes
MODEL.onnx, the shared input x.npy (2×3×224×224) and PyTorch's output
MODEL.ref.npy.

usage: torchvision_export.py OUT_DIR [MODEL ...]
"""
import os
import sys

import numpy as np
import torch
import torchvision

MODELS = ["resnet18", "resnet50", "vgg11_bn", "mobilenet_v2",
          "regnet_x_400mf", "alexnet", "densenet121", "googlenet",
          "squeezenet1_1", "mnasnet0_5", "shufflenet_v2_x1_0",
          "efficientnet_b0"]


def build(name):
    kwargs = {"weights": None}
    if name == "googlenet":
        kwargs.update(aux_logits=False, init_weights=True)
    model = getattr(torchvision.models, name)(**kwargs)
    gen = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.1)
    return model.eval()


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or MODELS
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    x = torch.rand(2, 3, 224, 224)
    np.save(os.path.join(out, "x.npy"), x.numpy())
    np.save(os.path.join(out, "labels.npy"), np.zeros(2, dtype=np.int64))
    for name in names:
        torch.manual_seed(0)
        model = build(name)
        with torch.no_grad():
            ref = model(x)
        np.save(os.path.join(out, name + ".ref.npy"), ref.numpy())
        torch.onnx.export(model, x, os.path.join(out, name + ".onnx"),
                          opset_version=13, input_names=["input"],
                          output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
        print(name, "exported", flush=True)


if __name__ == "__main__":
    main()
