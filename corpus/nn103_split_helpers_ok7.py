# expect: none
# requires: sklearn, pandas
"""Twin of nn103_split_helpers_bad6: the helpers build raw windows and the folds are cut first; each
fold's scaler is fitted on that fold's training windows only."""
import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import TimeSeriesSplit
from sklearn.preprocessing import StandardScaler
from torch import nn

LOOK_BACK = 8


def make_windows(features, targets):
    xs, ys = [], []
    for i in range(LOOK_BACK, len(features)):
        xs.append(features[i - LOOK_BACK:i])
        ys.append(targets[i])
    return np.array(xs, dtype=np.float32), np.array(ys, dtype=np.float32)


def prepare(frame):
    return make_windows(frame.drop(columns=["target"]).values, frame["target"].values[:, None])


def time_series_folds(x, y, n_splits):
    for train_index, val_index in TimeSeriesSplit(n_splits=n_splits).split(x):
        yield (x[train_index], y[train_index]), (x[val_index], y[val_index])


def scale_fold(x_tr, x_val):
    scaler = StandardScaler().fit(x_tr.reshape(-1, x_tr.shape[-1]))
    def apply(x):
        return scaler.transform(x.reshape(-1, x.shape[-1])).reshape(x.shape).astype(np.float32)
    return apply(x_tr), apply(x_val)


def main():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(300, 3)).cumsum(axis=0), columns=["volume", "spread", "rate"])
    frame["target"] = frame["rate"].shift(-1).fillna(0.0)

    x, y = prepare(frame)
    loss_fn = nn.MSELoss()
    for (x_tr, y_tr), (x_val, y_val) in time_series_folds(x, y, 3):
        x_tr, x_val = scale_fold(x_tr, x_val)
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
