# expect: NN103@31
# requires: sklearn, pandas
"""Price forecaster: the Close column is standardised over the whole history and written back into the
frame, windows are appended in a loop, and only then are the windows split chronologically."""
import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEQ = 20


class Forecaster(nn.Module):
    def __init__(self, hidden: int = 16):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def main():
    rng = np.random.default_rng(3)
    prices = pd.DataFrame({"Close": 100.0 + np.cumsum(rng.normal(0.2, 1.0, size=400))})

    scaler = StandardScaler()
    prices["Close"] = scaler.fit_transform(prices[["Close"]])

    windows = []
    for start in range(len(prices) - SEQ):
        windows.append(prices.Close.values[start:start + SEQ + 1])
    windows = np.array(windows, dtype=np.float32)[:, :, None]

    cut = int(len(windows) * 0.8)
    x_train, y_train = windows[:cut, :-1], windows[:cut, -1]
    x_test, y_test = windows[cut:, :-1], windows[cut:, -1]

    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)), batch_size=32, shuffle=True)
    model = Forecaster()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.MSELoss()
    for epoch in range(2):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            test_loss = loss_fn(model(torch.from_numpy(x_test)), torch.from_numpy(y_test)).item()
        print(f"epoch {epoch}: test mse {test_loss:.4f}")


if __name__ == "__main__":
    main()
