# expect: none
"""Each sensor window is standardised by its own mean/std (instance normalisation), then the windows are split."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def standardise_windows(windows: np.ndarray) -> np.ndarray:
    mean = windows.mean(axis=-1, keepdims=True)
    std = windows.std(axis=-1, keepdims=True) + 1e-6
    return (windows - mean) / std


def main():
    rng = np.random.default_rng(0)
    windows = rng.normal(loc=20.0, scale=5.0, size=(400, 2, 50)).astype(np.float32)
    labels = rng.integers(0, 3, size=400)
    windows = (windows - windows.mean(axis=2, keepdims=True)) / (windows.std(axis=2, keepdims=True) + 1e-6)
    windows = standardise_windows(windows)

    dataset = TensorDataset(torch.from_numpy(windows), torch.from_numpy(labels))
    train_set, val_set = random_split(dataset, [320, 80])
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=80)

    model = nn.Sequential(nn.Flatten(), nn.Linear(100, 32), nn.ReLU(), nn.Linear(32, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            x, y = next(iter(val_loader))
            print(f"epoch {epoch}: val acc {(model(x).argmax(1) == y).float().mean().item():.3f}")


if __name__ == "__main__":
    main()
