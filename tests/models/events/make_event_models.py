#!/usr/bin/python3
"""Writes evnet.onnx (and evnet_vote.onnx, with voting outputs, and
evnet_deep.onnx, five spiking layers with voting outputs): an untrained
(PyTorch default initialisation, seed 0) convolutional network for event
frames of 2×34×34 (ON/OFF counts of the N-MNIST sensor), the starting point
of training from scratch with BPSTA or plain BPTT (`snn-run train --method
bpsta`):

  conv 2→16 3×3 stride 2 pad 1, ReLU      34×34 → 17×17
  conv 16→32 3×3 stride 2 pad 1, ReLU     17×17 → 9×9
  flatten, linear 2592→10, ReLU           (spiking outputs: rates are read)

Converted with `--convert-nn-to-snn="encoding=events timesteps=T
neuron=lif leak=0.9 reset=zero threshold=0.5"` it becomes the LIF network of
the BPSTA study (seed 001): hard reset, decay 0.9, V_th 0.5, output rates.
Run with /usr/bin/python3 (Debian's python3-torch and python3-onnx).
"""
import os

import torch
import torch.nn as nn


class EvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 16, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.fc = nn.Linear(32 * 9 * 9, 10)

    def forward(self, x):
        x = torch.relu(self.c1(x))
        x = torch.relu(self.c2(x))
        return torch.relu(self.fc(torch.flatten(x, 1)))


class EvNetVote(EvNet):
    """The same with BPSTA's output: 10 spiking neurons per class (fc 100,
    ReLU), and a voting layer that averages each group (weights 1/10, no
    bias), read out as a non-spiking accumulated current."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(32 * 9 * 9, 100)
        self.vote = nn.Linear(100, 10, bias=False)
        with torch.no_grad():
            self.vote.weight.zero_()
            for c in range(10):
                self.vote.weight[c, 10 * c:10 * c + 10] = 0.1

    def forward(self, x):
        return self.vote(super().forward(x))


class EvNetDeep(EvNetVote):
    """Five spiking layers instead of three, to see whether BPSTA's gain
    grows with depth: conv 2→16 stride 2, conv 16→16, conv 16→32 stride 2,
    conv 32→32 (3×3, pad 1; 34 → 17 → 17 → 9 → 9), fc 2592→100 and the
    voting layer."""

    def __init__(self):
        super().__init__()
        self.c2 = nn.Conv2d(16, 16, 3, stride=1, padding=1)
        self.c3 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.c4 = nn.Conv2d(32, 32, 3, stride=1, padding=1)

    def forward(self, x):
        x = torch.relu(self.c1(x))
        x = torch.relu(self.c2(x))
        x = torch.relu(self.c3(x))
        x = torch.relu(self.c4(x))
        return self.vote(torch.relu(self.fc(torch.flatten(x, 1))))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, cls in (("evnet", EvNet), ("evnet_vote", EvNetVote),
                      ("evnet_deep", EvNetDeep)):
        torch.manual_seed(0)
        model = cls().eval()
        out = os.path.join(here, name + ".onnx")
        torch.onnx.export(model, torch.zeros(1, 2, 34, 34), out,
                          opset_version=13, input_names=["frames"],
                          output_names=["rates"],
                          dynamic_axes={"frames": {0: "n"}, "rates": {0: "n"}})
        print("wrote", out)


if __name__ == "__main__":
    main()
