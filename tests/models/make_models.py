#!/usr/bin/python3
"""Trains the small Fashion-MNIST test models briefly and exports them to ONNX.

Run through scripts/make-test-models.sh (which installs Debian's python3-torch,
python3-onnx and OpenBLAS). Writes NAME.onnx and NAME.json (PyTorch test
accuracy, opset, export options) next to this file for each model:

  mlp          784-256-128-10, x.view(x.size(0), -1) flatten chain,
               opset 9, no constant folding
  mlp400       784-400-10 and 784-400-400-400-10 (torch.flatten), opset 13:
  mlp400x3     the TTFS study's architectures (bench/ttfs-sweep.sh)
  vgg_avgpool  conv32-conv32-avgpool-conv64-avgpool-fc128-fc10, opset 11
  resnet_bn    conv+batch-norm stem, two residual blocks, avgpool, opset 13,
               no constant folding, BatchNormalization nodes kept
  cnn_maxpool  conv32-maxpool-conv64-maxpool-fc128-fc10, opset 17
  cnn_strided  conv8 5×5/2-conv16 3×3/2-fc10 (no pooling), opset 13: the CNN
               that --convert-nn-to-snn="encoding=ttfs" turns into a TTFS
               network (TTFS has no pooling)
  helper_linear
               MatMul + Add + Clip built with onnx.helper at opset 9, from a
               linear classifier trained here

  rgb_shuffle  an RGB CNN with a ShuffleNet unit (chunk, branch, concat,
               channel shuffle), opset 13, trained on colourised
               Fashion-MNIST at 3×32×32; the script also writes that data
               set's first 1,000 test images (and 256 training images for
               calibration) as an image folder of PNGs, CIFAR-10 batch files
               and an .npz, in rgb/

Inputs are N×1×28×28 images in [0, 1] (N dynamic; rgb_shuffle: N×3×32×32);
outputs are logits.
"""
import gzip
import json
import os
import sys

import numpy as np
import onnx
import onnx.helper as oh
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/datasets/fashion-mnist"
SEED = 1234
THREADS = int(os.environ.get("THREADS", "2"))


def load(split):
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(f"{DATA}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(f"{DATA}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    x = torch.from_numpy(images.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 256), nn.Linear(256, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(x.size(0), -1)  # exported as Shape→Gather→Unsqueeze→Concat→Reshape
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class WideMLP(nn.Module):
    """784-400-...-400-10 ReLU MLPs: the architectures of the TTFS study
    (bench/ttfs-sweep.sh); flatten by nn.Flatten (an ONNX Flatten)."""

    def __init__(self, hidden):
        super().__init__()
        sizes = [784] + [400] * hidden + [10]
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x):
        x = torch.flatten(x, 1)
        for fc in self.fcs[:-1]:
            x = F.relu(fc(x))
        return self.fcs[-1](x)


class MLP400(WideMLP):
    def __init__(self):
        super().__init__(1)


class MLP400x3(WideMLP):
    def __init__(self):
        super().__init__(3)


class VGGAvg(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(64 * 7 * 7, 128), nn.Linear(128, 10)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.c2(F.relu(self.c1(x)))), 2)
        x = F.avg_pool2d(F.relu(self.c3(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.c2, self.b2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu(x + self.b2(self.c2(F.relu(self.b1(self.c1(x))))))


class ResNetBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem, self.bn = nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)
        self.block1 = Block(16)
        self.down, self.bn2 = nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.block2 = Block(32)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = self.block1(F.relu(self.bn(self.stem(x))))
        x = F.avg_pool2d(x, 2)
        x = self.block2(F.relu(self.bn2(self.down(x))))
        x = F.avg_pool2d(x, 2)
        return self.fc(torch.flatten(x, 1))


class CNNMax(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1)
        self.fc1, self.fc2 = nn.Linear(64 * 7 * 7, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class CNNStrided(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 5, stride=2, padding=2)    # 8×14×14
        self.c2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)   # 16×7×7
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(self.c2(F.relu(self.c1(x))))
        return self.fc(torch.flatten(x, 1))


def colourise(x, seed):
    """Gray N×1×28×28 in [0, 1] → RGB N×3×32×32 uint8: a 2-pixel border and a
    random colour per image (each channel scaled by 0.35 to 1)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    colour = rng.uniform(0.35, 1.0, size=(n, 3, 1, 1)).astype(np.float32)
    padded = np.zeros((n, 1, 32, 32), np.float32)
    padded[:, :, 2:30, 2:30] = x.numpy()
    return np.round(padded * colour * 255.0).astype(np.uint8)


class ShuffleUnit(nn.Module):
    """ShuffleNet V2's basic unit: half the channels pass, half go through a
    branch; the halves are joined and the channels shuffled."""

    def __init__(self, c):
        super().__init__()
        self.branch = nn.Conv2d(c // 2, c // 2, 3, padding=1)

    def forward(self, x):
        x1, x2 = x.chunk(2, dim=1)
        out = torch.cat((x1, F.relu(self.branch(x2))), dim=1)
        n, c, h, w = out.size()
        out = out.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous()
        return out.view(n, -1, h, w)


class RGBShuffle(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.unit = ShuffleUnit(16)
        self.c2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)   # 16×16
        x = self.unit(x)
        x = F.avg_pool2d(F.relu(self.c2(x)), 2)   # 8×8 → 4×4
        return self.fc(torch.flatten(x, 1))


def write_rgb_data(test_u8, test_y, train_u8, train_y):
    """The first 1,000 test images and 256 training images in three formats."""
    import zipfile
    from PIL import Image
    root = os.path.join(HERE, "rgb")
    if os.path.isdir(root):
        import shutil
        shutil.rmtree(root)
    for split, x, y in (("val", test_u8, test_y), ("train", train_u8, train_y)):
        for i in range(len(x)):
            d = os.path.join(root, "imagefolder", split, str(int(y[i])))
            os.makedirs(d, exist_ok=True)
            Image.fromarray(x[i].transpose(1, 2, 0)).save(
                os.path.join(d, f"{i:05d}.png"), optimize=True)
    os.makedirs(os.path.join(root, "cifar10"))
    # The training split is five batch files, as CIFAR-10's.
    parts = [("test_batch.bin", test_u8, test_y)]
    for k, idx in enumerate(np.array_split(np.arange(len(train_u8)), 5)):
        parts.append((f"data_batch_{k + 1}.bin", train_u8[idx], train_y[idx]))
    for name, x, y in parts:
        with open(os.path.join(root, "cifar10", name), "wb") as f:
            for i in range(len(x)):
                f.write(bytes([int(y[i])]))
                f.write(x[i].tobytes())
    np.savez_compressed(os.path.join(root, "rgb.npz"),
                        x_test=test_u8.transpose(0, 2, 3, 1), y_test=test_y.astype(np.int64),
                        x_train=train_u8.transpose(0, 2, 3, 1), y_train=train_y.astype(np.int64))


def rgb_shuffle(xtr, ytr, xte, yte):
    tr_u8, te_u8 = colourise(xtr, SEED), colourise(xte, SEED + 1)
    to_float = lambda u8: torch.from_numpy(u8.astype(np.float32) / 255.0)
    torch.manual_seed(SEED)
    model = RGBShuffle()
    train(model, to_float(tr_u8), ytr, epochs=3)
    acc = accuracy(model, to_float(te_u8[:1000]), yte[:1000])
    path = os.path.join(HERE, "rgb_shuffle.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), path, opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
    onnx.checker.check_model(onnx.load(path))
    meta = {"name": "rgb_shuffle", "pytorch_test_accuracy": round(acc, 2),
            "test_images": 1000, "data": "npz:rgb/rgb.npz", "opset": 13,
            "constant_folding": True, "bytes": os.path.getsize(path)}
    with open(os.path.join(HERE, "rgb_shuffle.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    write_rgb_data(te_u8[:1000], yte[:1000].numpy(), tr_u8[:256], ytr[:256].numpy())
    print(f"rgb_shuffle: {acc:.2f} % on the first 1000 test images", flush=True)


def train(model, x, y, epochs, lr=1e-3, batch=128):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"  epoch {epoch + 1}: loss {total / len(x):.4f}", flush=True)
    model.eval()


@torch.no_grad()
def accuracy(fn, x, y):
    correct = 0
    for i in range(0, len(x), 1000):
        correct += (fn(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return 100.0 * correct / len(x)


def export(model, name, opset, folding, acc):
    path = os.path.join(HERE, name + ".onnx")
    # In EVAL mode the exporter fuses batch-norm into the convolutions; with
    # PRESERVE (the model is in eval mode) it keeps BatchNormalization nodes,
    # which is what the resnet_bn model is for.
    mode = torch.onnx.TrainingMode.PRESERVE if name == "resnet_bn" else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=opset,
                      training=mode,
                      do_constant_folding=folding, input_names=["image"],
                      output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
    onnx.checker.check_model(onnx.load(path))
    meta = {"name": name, "pytorch_test_accuracy": round(acc, 2), "opset": opset,
            "constant_folding": folding, "bytes": os.path.getsize(path)}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"{name}: {acc:.2f} % on the test set, {meta['bytes']} bytes", flush=True)


def helper_linear(xtr, ytr, xte, yte):
    lin = nn.Linear(784, 10)
    train(nn.Sequential(nn.Flatten(), lin), xtr, ytr, epochs=2)
    w = lin.weight.detach().numpy().T.copy()  # 784×10 for MatMul
    b = lin.bias.detach().numpy().copy()
    lo, hi = -8.0, 8.0

    def fn(x):
        return torch.clamp(x.view(len(x), -1) @ torch.from_numpy(w) + torch.from_numpy(b), lo, hi)

    acc = accuracy(fn, xte, yte)
    graph = oh.make_graph(
        [oh.make_node("Reshape", ["image", "shape"], ["flat"], name="flatten"),
         oh.make_node("MatMul", ["flat", "W"], ["mm"], name="matmul"),
         oh.make_node("Add", ["mm", "B"], ["biased"], name="bias"),
         oh.make_node("Clip", ["biased"], ["logits"], name="clip", min=lo, max=hi)],
        "helper_linear",
        [oh.make_tensor_value_info("image", onnx.TensorProto.FLOAT, ["N", 1, 28, 28])],
        [oh.make_tensor_value_info("logits", onnx.TensorProto.FLOAT, ["N", 10])],
        [oh.make_tensor("shape", onnx.TensorProto.INT64, [2], [-1, 784]),
         oh.make_tensor("W", onnx.TensorProto.FLOAT, w.shape, w.flatten().tolist()),
         oh.make_tensor("B", onnx.TensorProto.FLOAT, b.shape, b.tolist())])
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", 9)],
                          producer_name="onnx.helper")
    model.ir_version = 4
    onnx.checker.check_model(model)
    path = os.path.join(HERE, "helper_linear.onnx")
    onnx.save(model, path)
    meta = {"name": "helper_linear", "pytorch_test_accuracy": round(acc, 2), "opset": 9,
            "constant_folding": None, "bytes": os.path.getsize(path)}
    with open(os.path.join(HERE, "helper_linear.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"helper_linear: {acc:.2f} %", flush=True)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    xtr, ytr = load("train")
    xte, yte = load("test")
    which = sys.argv[1:] or ["mlp", "vgg_avgpool", "resnet_bn", "cnn_maxpool", "helper_linear",
                             "mlp400", "mlp400x3", "cnn_strided", "rgb_shuffle"]
    specs = {"mlp": (MLP, 9, False, 3), "vgg_avgpool": (VGGAvg, 11, True, 2),
             "resnet_bn": (ResNetBN, 13, False, 2), "cnn_maxpool": (CNNMax, 17, True, 2),
             "mlp400": (MLP400, 13, True, 3), "mlp400x3": (MLP400x3, 13, True, 3),
             "cnn_strided": (CNNStrided, 13, True, 8)}
    for name in which:
        print(f"training {name}", flush=True)
        if name == "helper_linear":
            helper_linear(xtr, ytr, xte, yte)
            continue
        if name == "rgb_shuffle":
            rgb_shuffle(xtr, ytr, xte, yte)
            continue
        cls, opset, folding, epochs = specs[name]
        torch.manual_seed(SEED)
        model = cls()
        train(model, xtr, ytr, epochs)
        export(model, name, opset, folding, accuracy(model, xte, yte))


if __name__ == "__main__":
    main()
