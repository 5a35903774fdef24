# expect: none
"""The CIFAR pickle layout: each row is 3072 values stored channel-major, so reshape(-1, 3, 32, 32) is right."""
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def load_batch(num_rows: int) -> tuple:
    rng = np.random.default_rng(0)
    # data_batch_N["data"]: (N, 3072) with the 1024 red values first, then green, then blue.
    data = rng.standard_normal((num_rows, 3072)).astype(np.float32)
    labels = rng.integers(0, 10, size=num_rows)
    return data, labels


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=256)
    args = parser.parse_args()
    torch.manual_seed(0)

    data, labels = load_batch(args.rows)
    images = torch.from_numpy(data.reshape(-1, 3, 32, 32))
    hwc_preview = images[0].permute(1, 2, 0)  # for plotting: C, H, W -> H, W, C
    print("preview", tuple(hwc_preview.shape))
    loader = DataLoader(TensorDataset(images, torch.from_numpy(labels).long()), batch_size=64, shuffle=True)

    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 16 * 16, 10),
    )
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
