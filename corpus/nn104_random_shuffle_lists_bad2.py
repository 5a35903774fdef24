# expect: NN104@36
"""Samples kept in two parallel Python lists, each shuffled with random.shuffle."""
import random

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class PairDataset(Dataset):
    def __init__(self, samples, targets):
        self.samples = samples
        self.targets = targets

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        return self.samples[idx], self.targets[idx]


def build_lists(n: int):
    samples, targets = [], []
    for _ in range(n):
        cls = random.randrange(3)
        samples.append(torch.randn(16) + cls)
        targets.append(cls)
    return samples, targets


def main():
    random.seed(0)
    torch.manual_seed(0)
    samples, targets = build_lists(600)
    random.shuffle(samples)
    random.shuffle(targets)

    train = PairDataset(samples[:500], targets[:500])
    val = PairDataset(samples[500:], targets[500:])
    train_loader = DataLoader(train, batch_size=25, shuffle=True)
    val_loader = DataLoader(val, batch_size=100)

    model = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 3))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for epoch in range(2):
        model.train()
        for x, t in train_loader:
            opt.zero_grad()
            loss_fn(model(x), t).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == t).sum().item() for x, t in val_loader)
        print(f"epoch {epoch}: {correct}/{len(val)} correct")


if __name__ == "__main__":
    main()
