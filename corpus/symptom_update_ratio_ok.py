# expect: none
"""CNN trained with a learning rate scaled linearly by a modest batch multiplier from a config file."""
import argparse
import json

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CONFIG = json.loads('{"base_lr": 0.1, "lr_multiplier": 0.5}')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(512, 1, 16, 16, generator=generator)
    labels = torch.randint(0, 4, (512,), generator=generator)
    loader = DataLoader(TensorDataset(images, labels), batch_size=32, shuffle=True)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 8 * 8, 4)
    )
    learning_rate = CONFIG["base_lr"] * CONFIG["lr_multiplier"]
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
