# expect: none
"""Twin of projects/nn103_dataset_module_bad: the raw spectra are split first; both data sets are
standardised with the training part's statistics."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from data import Spectra, load_spectra


def main():
    x, y = load_spectra()
    order = np.random.default_rng(1).permutation(len(x))
    train_idx, val_idx = order[:320], order[320:]
    mean, std = x[train_idx].mean(axis=0), x[train_idx].std(axis=0)
    train_set = Spectra(x[train_idx], y[train_idx], mean, std)
    val_set = Spectra(x[val_idx], y[val_idx], mean, std)
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
