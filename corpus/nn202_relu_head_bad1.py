# expect: NN202@28
# expect-dynamic: NN202
"""A regression MLP whose nn.Sequential ends in ReLU, fitted with MSELoss to zero-mean targets."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(512, 8)
true_w = torch.randn(8, 1)
y = X @ true_w + 0.1 * torch.randn(512, 1)  # standardised-looking targets, half of them negative

loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
model = nn.Sequential(
    nn.Linear(8, 32),
    nn.ReLU(),
    nn.Linear(32, 1),
    nn.ReLU(),
)
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(2):
    epoch_loss = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        pred = model(xb)
        loss = loss_fn(pred, yb)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * xb.size(0)
    print(f"epoch {epoch}: mse {epoch_loss / len(X):.4f}")
