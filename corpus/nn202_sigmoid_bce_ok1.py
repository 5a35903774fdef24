# expect: none
"""Binary classification: a Sigmoid output with BCELoss is the textbook pairing, not a regression head."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(400, 6)
y = ((x[:, 0] * x[:, 1]) > 0).float().unsqueeze(1)
train_loader = DataLoader(TensorDataset(x, y), batch_size=40, shuffle=True)

model = nn.Sequential(nn.Linear(6, 24), nn.ReLU(), nn.Linear(24, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

for epoch in range(2):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item()
    print(f"epoch {epoch}: bce {running / len(train_loader):.4f}")
