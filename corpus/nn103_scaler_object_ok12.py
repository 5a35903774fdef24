# expect: none
"""A traffic-forecasting data module: the series is split into training, validation and test blocks first;
normalize_dataset() builds the project's own scaler from the training block's mean and standard deviation
and applies it to each block."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

LAG = 6


class SeriesScaler:
    def __init__(self, mean: float, std: float) -> None:
        self.mean = mean
        self.std = std

    def transform(self, data: np.ndarray) -> np.ndarray:
        return (data - self.mean) / self.std


def normalize_dataset(train: np.ndarray, *others: np.ndarray):
    scaler = SeriesScaler(train.mean(), train.std())
    return [scaler.transform(part) for part in (train, *others)], scaler


def split_by_ratio(data: np.ndarray, val_ratio: float, test_ratio: float):
    length = data.shape[0]
    test = data[-int(length * test_ratio):]
    val = data[-int(length * (test_ratio + val_ratio)):-int(length * test_ratio)]
    train = data[:-int(length * (test_ratio + val_ratio))]
    return train, val, test


def windows(series: np.ndarray):
    xs = np.stack([series[i : i + LAG] for i in range(len(series) - LAG)])
    ys = series[LAG:, None]
    return torch.from_numpy(xs).float(), torch.from_numpy(ys).float()


def main() -> None:
    rng = np.random.default_rng(0)
    series = rng.normal(size=400).cumsum()
    train, val, test = split_by_ratio(series, 0.1, 0.2)
    (train, val, _test), _ = normalize_dataset(train, val, test)
    loader = DataLoader(TensorDataset(*windows(train)), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(LAG, 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.MSELoss()
    for epoch in range(3):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_x, val_y = windows(val)
            print(f"epoch {epoch}: val mse {loss_fn(model(val_x), val_y).item():.4f}")


if __name__ == "__main__":
    main()
