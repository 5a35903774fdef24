# expect: none
"""Picks a net by --arch and trains it on masks; both choices return logits, which
BCEWithLogitsLoss expects."""
import argparse

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from nets import DeepSegNet, PlainSegNet


def train_net(net: nn.Module, epochs: int = 1) -> None:
    images = torch.randn(16, 3, 8, 8)
    masks = (torch.rand(16, 1, 8, 8) > 0.5).float()
    loader = DataLoader(TensorDataset(images, masks), batch_size=4, shuffle=True)
    optimizer = optim.Adam(net.parameters(), lr=1e-3)
    if net.n_classes > 1:
        criterion = nn.CrossEntropyLoss()
    else:
        criterion = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        net.train()
        for batch, target in loader:
            optimizer.zero_grad()
            prediction = net(batch)
            loss = criterion(prediction, target)
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="deep")
    args = parser.parse_args()
    if args.arch == "deep":
        model = DeepSegNet(n_classes=1)
    else:
        model = PlainSegNet(n_classes=1)
    train_net(model)
