# expect: NN103@16
# requires: sklearn
"""Notebook turned script: StandardScaler is fit on every row before train_test_split."""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
data = rng.normal(loc=50.0, scale=12.0, size=(600, 8)).astype(np.float32)
target = (data @ rng.normal(size=(8,)).astype(np.float32)).reshape(-1, 1)

scaler = StandardScaler()
data_scaled = scaler.fit_transform(data)
X_train, X_test, y_train, y_test = train_test_split(data_scaled, target, test_size=0.2, random_state=0)

train_ds = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32))
test_ds = TensorDataset(torch.tensor(X_test, dtype=torch.float32), torch.tensor(y_test, dtype=torch.float32))
train_dl = DataLoader(train_ds, batch_size=32, shuffle=True)
test_dl = DataLoader(test_ds, batch_size=64)

net = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
loss_fn = nn.MSELoss()
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

for epoch in range(2):
    net.train()
    total = 0.0
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(net(xb), yb / 100.0)
        loss.backward()
        opt.step()
        total += loss.item()
    net.eval()
    with torch.no_grad():
        mse = sum(loss_fn(net(xb), yb / 100.0).item() for xb, yb in test_dl) / len(test_dl)
    print(f"epoch {epoch} train {total / len(train_dl):.4f} test {mse:.4f}")
