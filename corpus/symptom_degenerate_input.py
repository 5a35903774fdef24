# expect: none
# expect-dynamic: NN802
"""Image classifier whose batch buffer is allocated but never filled (the decode step was refactored away)."""
import argparse

import torch
from torch import nn


def decode_batch(paths, buffer: torch.Tensor) -> torch.Tensor:
    for index, _ in enumerate(paths):
        pass  # decoding moved elsewhere; the buffer stays as allocated
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
