# expect: none
"""Image classifier whose batch buffer is filled by the decode step."""
import argparse

import torch
from torch import nn


def decode_batch(paths, buffer: torch.Tensor) -> torch.Tensor:
    generator = torch.Generator().manual_seed(len(paths))
    for index, _ in enumerate(paths):
        buffer[index] = torch.randn(buffer.shape[1:], generator=generator)  # stands in for decoding a file
    return buffer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for step in range(args.steps):
        paths = [f"img_{step}_{i}.png" for i in range(32)]
        images = decode_batch(paths, torch.zeros(32, 3, 32, 32))
        labels = torch.randint(0, 10, (32,), generator=generator)
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        if step % 10 == 0:
            print(f"step {step}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
