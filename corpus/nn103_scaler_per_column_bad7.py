# expect: NN103@22
# requires: sklearn, pandas
"""Tabular regression: one MinMaxScaler per column, kept in a dict, each fitted on the full column and
written back into the frame; the frame is split into train/test rows with iloc afterwards."""
import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import MinMaxScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

COLUMNS = ["temperature", "humidity", "wind"]


def main():
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.normal(loc=[15.0, 60.0, 4.0], scale=[8.0, 15.0, 2.0], size=(500, 3)), columns=COLUMNS)
    frame["load"] = 0.4 * frame["temperature"] - 0.1 * frame["humidity"] + rng.normal(size=500)

    scalers = {column: MinMaxScaler() for column in COLUMNS}
    for column in COLUMNS:
        frame[column] = scalers[column].fit_transform(frame[[column]])

    n_train = int(len(frame) * 0.8)
    train_rows, test_rows = frame.iloc[:n_train], frame.iloc[n_train:]

    def tensors(rows):
        return torch.tensor(rows[COLUMNS].values, dtype=torch.float32), torch.tensor(rows[["load"]].values, dtype=torch.float32)

    loader = DataLoader(TensorDataset(*tensors(train_rows)), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1))
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
        x_test, y_test = tensors(test_rows)
        print(f"test mse {loss_fn(model(x_test), y_test).item():.3f}")


if __name__ == "__main__":
    main()
