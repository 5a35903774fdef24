# expect: NN105@16
# requires: timm, torchvision
"""timm ResNet pretrained on ImageNet, but inputs are normalised with mean/std 0.5 instead of ImageNet's."""
import timm
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision import transforms as T

NUM_CLASSES = 3

transform = T.Compose([
    T.Resize((224, 224)),
    T.ToTensor(),
    T.Normalize(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)),
])
train_data = datasets.FakeData(size=48, image_size=(3, 240, 240), num_classes=NUM_CLASSES, transform=transform)
val_data = datasets.FakeData(size=24, image_size=(3, 240, 240), num_classes=NUM_CLASSES, transform=transform)
train_loader = DataLoader(train_data, batch_size=8, shuffle=True)
val_loader = DataLoader(val_data, batch_size=8)

model = timm.create_model("resnet18", pretrained=True, num_classes=NUM_CLASSES)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)

for epoch in range(1):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = sum(criterion(model(x), y).item() for x, y in val_loader) / len(val_loader)
    print(f"epoch {epoch}: val loss {val_loss:.4f}")
