# expect: NN103@12
"""Builds data.Spectra (standardised with statistics of every sample, in data.py) and only then
random_splits it into training and validation parts."""
import torch
from torch import nn
from torch.utils.data import DataLoader, random_split

from data import Spectra


def main():
    spectra = Spectra()
    train_set, val_set = random_split(spectra, [320, 80], generator=torch.Generator().manual_seed(0))
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=80)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            xb, yb = next(iter(val_loader))
            print(f"epoch {epoch}: val acc {(model(xb).argmax(1) == yb).float().mean().item():.3f}")


if __name__ == "__main__":
    main()
