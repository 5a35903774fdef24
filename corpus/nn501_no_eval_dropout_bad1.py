# expect: NN501@29
# expect-dynamic: NN501
"""Validation runs under torch.no_grad() but the Dropout model is never switched to eval mode."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(480, 20)
y = torch.randint(0, 3, (480,))
train_loader = DataLoader(TensorDataset(x[:384], y[:384]), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(x[384:], y[384:]), batch_size=96)

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(p=0.5), nn.Linear(64, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(2):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()

    val_loss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            val_loss += criterion(logits, yb).item()
            correct += (logits.argmax(dim=1) == yb).sum().item()
    print(f"epoch {epoch}: val loss {val_loss / len(val_loader):.4f} acc {correct / 96:.3f}")
