# expect: NN101@17
# expect-dynamic: NN101
"""Notebook turned script: a blob classifier whose training loader keeps the class-sorted order."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
NUM_CLASSES = 4
PER_CLASS = 64

# The samples are generated class by class, so the data set is sorted by label.
centers = torch.randn(NUM_CLASSES, 16)
features = torch.cat([centers[c] + 0.5 * torch.randn(PER_CLASS, 16) for c in range(NUM_CLASSES)])
labels = torch.arange(NUM_CLASSES).repeat_interleave(PER_CLASS)

train_loader = DataLoader(TensorDataset(features, labels), batch_size=32)

model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, NUM_CLASSES))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

for epoch in range(2):
    running_loss = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print(f"epoch {epoch}: loss {running_loss / len(train_loader):.4f}")
