# expect: NN503@32
# expect-dynamic: NN503
"""Notebook-style script: validation runs inline in the epoch loop after model.eval(), without
torch.no_grad()."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = torch.randn(200, 1, 12, 12)
labels = torch.randint(0, 3, (200,))
train_dl = DataLoader(TensorDataset(images[:160], labels[:160]), batch_size=16, shuffle=True)
valid_dl = DataLoader(TensorDataset(images[160:], labels[160:]), batch_size=40)

net = nn.Sequential(
    nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 5 * 5, 3)
)
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)

for epoch in range(2):
    net.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        opt.step()

    net.eval()
    valid_loss, accuracy = 0.0, 0.0
    for xb, yb in valid_dl:
        preds = net(xb)
        valid_loss += F.cross_entropy(preds, yb).item()
        accuracy += (preds.argmax(dim=1) == yb).float().mean().item()
    print(epoch, valid_loss / len(valid_dl), accuracy / len(valid_dl))
