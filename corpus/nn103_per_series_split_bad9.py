# expect: NN103@33
# requires: sklearn
"""Several price series, one scaler each: every series is scaled on all of its days, cut into windows,
and only then split chronologically into its training and test days (split_series, a few lines below).
Each series' test days shape the minimum and maximum its training windows were scaled with."""
import numpy as np
import torch
from sklearn.preprocessing import MinMaxScaler
from torch import nn

LOOK_BACK = 5


def windows(series, look_back):
    xs, ys = [], []
    for i in range(len(series) - look_back):
        xs.append(series[i:i + look_back])
        ys.append(series[i + look_back])
    return np.array(xs, dtype=np.float32), np.array(ys, dtype=np.float32)


def split_series(x, y, n):
    return x[:n], y[:n], x[n:], y[n:]


def main():
    rng = np.random.default_rng(3)
    prices = [rng.normal(size=(200, 1)).cumsum(axis=0) for _ in range(3)]
    scalers = [MinMaxScaler(feature_range=(-1, 1)) for _ in prices]
    x_list, y_list = [], []
    for i in range(len(prices)):
        series = prices[i]
        scaled = scalers[i].fit_transform(series)
        x, y = windows(scaled, LOOK_BACK)
        x_list.append(x)
        y_list.append(y)
    loss_fn = nn.MSELoss()
    for i in range(len(x_list)):
        x_train, y_train, x_test, y_test = split_series(x_list[i], y_list[i], int(0.9 * len(x_list[i])))
        model = nn.Sequential(nn.Flatten(), nn.Linear(LOOK_BACK, 16), nn.ReLU(), nn.Linear(16, 1))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for step in range(30):
            optimizer.zero_grad()
            loss = loss_fn(model(torch.from_numpy(x_train)), torch.from_numpy(y_train))
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            print(f"series {i} test mse {loss_fn(model(torch.from_numpy(x_test)), torch.from_numpy(y_test)).item():.4f}")


if __name__ == "__main__":
    main()
