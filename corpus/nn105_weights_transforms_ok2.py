# expect: none
# requires: torchvision
"""The weights' own preprocessing (`weights.transforms()`) is used for every image."""
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision.datasets import FakeData
from torchvision.models import ResNet50_Weights, resnet50

weights = ResNet50_Weights.IMAGENET1K_V2
preprocess = weights.transforms()

train_loader = DataLoader(FakeData(32, (3, 256, 256), 3, transform=preprocess), batch_size=8, shuffle=True)
val_loader = DataLoader(FakeData(16, (3, 256, 256), 3, transform=preprocess), batch_size=8)

model = resnet50(weights=weights)
model.fc = nn.Linear(model.fc.in_features, 3)
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)

for epoch in range(1):
    model.train()
    for x, y in train_loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        print("val loss", sum(loss_fn(model(x), y).item() for x, y in val_loader) / len(val_loader))
