# expect: NN103@18
# requires: sklearn, pandas
"""A data module of small helpers: scale_features() fits a StandardScaler on every row and returns the
scaled array with its scaler, prepare() builds the windows and returns them, and time_series_folds()
splits whatever it is given with TimeSeriesSplit; the scaled windows reach those folds."""
import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import TimeSeriesSplit
from sklearn.preprocessing import StandardScaler
from torch import nn

LOOK_BACK = 8


def scale_features(frame):
    scaler = StandardScaler()
    return scaler.fit_transform(frame.drop(columns=["target"])), scaler


def make_windows(features, targets):
    xs, ys = [], []
    for i in range(LOOK_BACK, len(features)):
        xs.append(features[i - LOOK_BACK:i])
        ys.append(targets[i])
    return np.array(xs, dtype=np.float32), np.array(ys, dtype=np.float32)


def prepare(frame):
    features, scaler = scale_features(frame)
    x, y = make_windows(features, frame["target"].values[:, None])
    return x, y, scaler


def time_series_folds(x, y, n_splits):
    for train_index, val_index in TimeSeriesSplit(n_splits=n_splits).split(x):
        yield (x[train_index], y[train_index]), (x[val_index], y[val_index])


def main():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(300, 3)).cumsum(axis=0), columns=["volume", "spread", "rate"])
    frame["target"] = frame["rate"].shift(-1).fillna(0.0)

    x, y, _ = prepare(frame)
    loss_fn = nn.MSELoss()
    for (x_tr, y_tr), (x_val, y_val) in time_series_folds(x, y, 3):
        model = nn.Sequential(nn.Flatten(), nn.Linear(LOOK_BACK * 3, 16), nn.ReLU(), nn.Linear(16, 1))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for step in range(20):
            model.train()
            optimizer.zero_grad()
            loss = loss_fn(model(torch.from_numpy(x_tr)), torch.from_numpy(y_tr))
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            print(f"fold val mse {loss_fn(model(torch.from_numpy(x_val)), torch.from_numpy(y_val)).item():.4f}")


if __name__ == "__main__":
    main()
