# expect: NN103@34
# requires: sklearn
"""Monthly passengers: MinMaxScaler is fitted on the whole series, a helper cuts and returns the windows,
and the windows are split with x[0:n] / x[n:len(x)] afterwards."""
import numpy as np
import torch
from sklearn.preprocessing import MinMaxScaler
from torch import nn


def sliding_windows(series, length):
    inputs, targets = [], []
    for i in range(len(series) - length - 1):
        inputs.append(series[i:i + length])
        targets.append(series[i + length])
    return np.array(inputs), np.array(targets)


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(1, 8, batch_first=True)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


def main():
    months = np.arange(144, dtype=np.float32)
    passengers = (120 + 2.5 * months + 30 * np.sin(months / 1.9)).reshape(-1, 1)

    scaled = MinMaxScaler().fit_transform(passengers)
    x, y = sliding_windows(scaled, 4)

    train_size = int(len(y) * 0.67)
    train_x = torch.tensor(x[0:train_size], dtype=torch.float32)
    train_y = torch.tensor(y[0:train_size], dtype=torch.float32)
    test_x = torch.tensor(x[train_size:len(x)], dtype=torch.float32)
    test_y = torch.tensor(y[train_size:len(y)], dtype=torch.float32)

    model = Regressor()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for epoch in range(30):
        model.train()
        optimizer.zero_grad()
        loss = loss_fn(model(train_x), train_y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        print(f"test mse {loss_fn(model(test_x), test_y).item():.4f}")


if __name__ == "__main__":
    main()
