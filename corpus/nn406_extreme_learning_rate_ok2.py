# expect: none
"""Learning rate taken from argparse and from a config dict: nnlint cannot judge it statically."""
import argparse

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

DEFAULTS = {"lr": 2e-3, "epochs": 2}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
    args = parser.parse_args()

    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(128, 6), torch.randint(0, 2, (128,))), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
    if args.optimizer == "sgd":
        optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    else:
        optimizer = optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(epoch, loss.item())


if __name__ == "__main__":
    main()
