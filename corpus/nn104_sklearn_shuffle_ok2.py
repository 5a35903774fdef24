# expect: none
# requires: sklearn
"""sklearn.utils.shuffle permutes the arrays together; one shared randperm reorders the tensors."""
import random

import numpy as np
import torch
from sklearn.utils import shuffle
from torch import nn

rng = np.random.default_rng(0)
features = rng.normal(size=(600, 10)).astype(np.float32)
classes = rng.integers(0, 3, size=600)
features, classes = shuffle(features, classes, random_state=0)

X = torch.from_numpy(features)
y = torch.from_numpy(classes)
perm = torch.randperm(len(X))
X = X[perm]
y = y[perm]

file_names = [f"sample_{i}.npy" for i in range(10)]
random.shuffle(file_names)

model = nn.Sequential(nn.Linear(10, 24), nn.ReLU(), nn.Linear(24, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

model.train()
for epoch in range(2):
    order = torch.randperm(480)
    for start in range(0, 480, 48):
        idx = order[start:start + 48]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X[480:]).argmax(dim=1) == y[480:]).float().mean().item()
    model.train()
    print(f"epoch {epoch}: held-out acc {acc:.3f}")
