#!/usr/bin/env python3
"""Train the MLNet.TensorCompression sample CNNs on Fashion-MNIST and export them to ONNX.

Run from the repository root (or anywhere; paths are resolved relative to this file):

    /usr/bin/python3 samples/train/train_models.py

Needs the Debian packages python3-torch, python3-onnx and
dataset-fashion-mnist (the IDX files are read from /usr/share/datasets/fashion-mnist;
nothing is downloaded).

Writes:
    samples/models/lenet5-fashion.onnx
    samples/models/vgg-fashion.onnx
    samples/models/accuracy.json
    samples/data/fashion-test-2000-{images.idx3,labels.idx1}-ubyte
    samples/data/fashion-train-2000-{images.idx3,labels.idx1}-ubyte

Model contract (both models):
    input  "input"  float32 [N, 1, 28, 28], pixel bytes / 255 (range [0, 1], no mean/std normalisation)
    output "logits" float32 [N, 10], raw logits (no softmax)
"""

import argparse
import gzip
import json
import os
import random
import struct
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240601
THREADS = 2
OPSET = 17
SUBSET_SIZE = 2000

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES_DIR = os.path.dirname(HERE)
MODELS_DIR = os.path.join(SAMPLES_DIR, "models")
DATA_DIR = os.path.join(SAMPLES_DIR, "data")
DEFAULT_FASHION_DIR = "/usr/share/datasets/fashion-mnist"


# ----------------------------------------------------------------------------
# IDX file format (http://yann.lecun.com/exdb/mnist/ layout):
#   magic: 2 zero bytes, 1 byte element type (0x08 = unsigned byte), 1 byte ndim
#   ndim big-endian uint32 dimension sizes
#   the elements, row-major
# ----------------------------------------------------------------------------

def read_idx(path):
    """Read an unsigned-byte IDX file (optionally gzipped) into a numpy uint8 array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {np.prod(dims)} elements, found {array.size}")
    return array.reshape(dims)


def write_idx(path, array):
    """Write a uint8 numpy array as an uncompressed IDX file (magic 0x0000080N)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.tobytes())


def load_fashion_mnist(directory):
    def find(stem):
        for name in (stem, stem + ".gz"):
            path = os.path.join(directory, name)
            if os.path.exists(path):
                return path
        raise FileNotFoundError(f"{stem}[.gz] not found in {directory} (apt-get install dataset-fashion-mnist)")

    train_x = read_idx(find("train-images-idx3-ubyte"))
    train_y = read_idx(find("train-labels-idx1-ubyte"))
    test_x = read_idx(find("t10k-images-idx3-ubyte"))
    test_y = read_idx(find("t10k-labels-idx1-ubyte"))
    assert train_x.shape == (60000, 28, 28) and train_y.shape == (60000,)
    assert test_x.shape == (10000, 28, 28) and test_y.shape == (10000,)
    return train_x, train_y, test_x, test_y


def write_subsets(train_x, train_y, test_x, test_y):
    """Write the small committed data subsets; return the test subset."""
    os.makedirs(DATA_DIR, exist_ok=True)

    # Test subset: the first 2,000 images of the official test set.
    sub_test_x, sub_test_y = test_x[:SUBSET_SIZE], test_y[:SUBSET_SIZE]

    # Train subset: stratified, 200 images per class, drawn with a fixed seed,
    # kept in their original order in the training set.
    rng = np.random.default_rng(SEED)
    per_class = SUBSET_SIZE // 10
    chosen = np.concatenate([
        rng.choice(np.flatnonzero(train_y == c), size=per_class, replace=False) for c in range(10)
    ])
    chosen.sort()
    sub_train_x, sub_train_y = train_x[chosen], train_y[chosen]

    write_idx(os.path.join(DATA_DIR, "fashion-test-2000-images.idx3-ubyte"), sub_test_x)
    write_idx(os.path.join(DATA_DIR, "fashion-test-2000-labels.idx1-ubyte"), sub_test_y)
    write_idx(os.path.join(DATA_DIR, "fashion-train-2000-images.idx3-ubyte"), sub_train_x)
    write_idx(os.path.join(DATA_DIR, "fashion-train-2000-labels.idx1-ubyte"), sub_train_y)
    print(f"wrote data subsets to {DATA_DIR}: test = first {SUBSET_SIZE}, "
          f"train = {per_class} per class (seed {SEED})")
    return sub_test_x, sub_test_y


def to_tensor(images):
    """uint8 [N, 28, 28] -> float32 [N, 1, 28, 28] in [0, 1] (the models' input contract)."""
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


# ----------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------

class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)   # 28x28 -> 28x28
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)             # 14x14 -> 10x10
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)               # -> 6x14x14
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)               # -> 16x5x5
        x = torch.flatten(x, 1)                                  # -> 400
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class VggFashion(nn.Module):
    """Small VGG-style net; most of its weights are in the 6272x512 fully connected layer."""

    def __init__(self, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),                                     # -> 64x14x14
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),                                     # -> 128x7x7
        )
        self.classifier = nn.Sequential(
            nn.Linear(128 * 7 * 7, 512), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(512, 512), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)                                  # -> 6272
        return self.classifier(x)


# ----------------------------------------------------------------------------
# Training / evaluation
# ----------------------------------------------------------------------------

def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@torch.no_grad()
def accuracy(model, x, y, batch_size=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch_size):
        logits = model(x[i:i + batch_size])
        correct += (logits.argmax(1) == y[i:i + batch_size]).sum().item()
    return correct / len(x)


def train(model, train_x, train_y, epochs, lr, batch_size, seed, log_every=200):
    seed_everything(seed)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(train_x)
    batches_per_epoch = (n + batch_size - 1) // batch_size
    start = time.time()
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_start = time.time()
        order = torch.randperm(n, generator=generator)
        running_loss, running_count = 0.0, 0
        for b in range(batches_per_epoch):
            idx = order[b * batch_size:(b + 1) * batch_size]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
            loss.backward()
            optimizer.step()
            running_loss += loss.item() * len(idx)
            running_count += len(idx)
            if log_every and (b + 1) % log_every == 0:
                print(f"  epoch {epoch} batch {b + 1}/{batches_per_epoch} "
                      f"loss {running_loss / running_count:.4f} ({time.time() - epoch_start:.0f}s)", flush=True)
        print(f"  epoch {epoch}/{epochs}: train loss {running_loss / running_count:.4f}, "
              f"{time.time() - epoch_start:.1f}s", flush=True)
    return time.time() - start


def export_onnx(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28, dtype=torch.float32)
    torch.onnx.export(
        model, dummy, path,
        opset_version=OPSET,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
        do_constant_folding=True,
        export_params=True,
    )
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = sorted({node.op_type for node in m.graph.node})
    print(f"  exported {path}: {os.path.getsize(path):,} bytes, IR v{m.ir_version}, "
          f"opset {m.opset_import[0].version}, ops {ops}", flush=True)


MODELS = {
    # name: (constructor, epochs, learning rate, batch size)
    "lenet5-fashion": (LeNet5, 12, 1e-3, 64),
    "vgg-fashion": (VggFashion, 2, 1e-3, 128),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fashion-dir", default=DEFAULT_FASHION_DIR, help="directory with the Fashion-MNIST IDX files")
    parser.add_argument("--only", choices=sorted(MODELS), help="train just this model (accuracy.json is merged)")
    parser.add_argument("--epochs", type=int, help="override the number of epochs (with --only)")
    args = parser.parse_args()

    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    seed_everything(SEED)

    train_x_u8, train_y_u8, test_x_u8, test_y_u8 = load_fashion_mnist(args.fashion_dir)
    sub_test_x_u8, sub_test_y_u8 = write_subsets(train_x_u8, train_y_u8, test_x_u8, test_y_u8)

    train_x, train_y = to_tensor(train_x_u8), torch.from_numpy(train_y_u8.astype(np.int64))
    test_x, test_y = to_tensor(test_x_u8), torch.from_numpy(test_y_u8.astype(np.int64))
    sub_x, sub_y = to_tensor(sub_test_x_u8), torch.from_numpy(sub_test_y_u8.astype(np.int64))

    os.makedirs(MODELS_DIR, exist_ok=True)
    json_path = os.path.join(MODELS_DIR, "accuracy.json")
    results = {}
    if args.only and os.path.exists(json_path):
        with open(json_path) as f:
            results = json.load(f)

    names = [args.only] if args.only else list(MODELS)
    for name in names:
        constructor, epochs, lr, batch_size = MODELS[name]
        if args.epochs and args.only:
            epochs = args.epochs
        print(f"== {name}: {epochs} epochs, Adam lr {lr}, batch {batch_size}, seed {SEED}, {THREADS} threads", flush=True)
        seed_everything(SEED)
        model = constructor()
        params = sum(p.numel() for p in model.parameters())
        seconds = train(model, train_x, train_y, epochs, lr, batch_size, SEED)
        test_acc = accuracy(model, test_x, test_y)
        sub_acc = accuracy(model, sub_x, sub_y)
        path = os.path.join(MODELS_DIR, name + ".onnx")
        export_onnx(model, path)
        print(f"  {name}: parameters {params:,}, training time {seconds:.1f}s, "
              f"test accuracy {test_acc:.4f} (10,000 images), subset accuracy {sub_acc:.4f} "
              f"({SUBSET_SIZE} images), onnx size {os.path.getsize(path):,} bytes", flush=True)
        results[name + ".onnx"] = {
            "test_accuracy": round(test_acc, 4),
            "subset_test_accuracy": round(sub_acc, 4),
            "parameters": params,
            "epochs": epochs,
        }
        with open(json_path, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")

    print(f"wrote {json_path}")


if __name__ == "__main__":
    main()
