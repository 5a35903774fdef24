# expect: NN102@13
"""CIFAR-style arrays stored as NHWC uint8-like images, reshaped (not transposed) to NCHW."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
images = rng.random((256, 32, 32, 3), dtype=np.float32)  # N, H, W, C as image libraries return it
targets = rng.integers(0, 10, size=256)

images = (images - 0.5) / 0.25
x = torch.from_numpy(images.reshape(-1, 3, 32, 32))
y = torch.from_numpy(targets).long()
loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(32, 10),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

for epoch in range(1):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
