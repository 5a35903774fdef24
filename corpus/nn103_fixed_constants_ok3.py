# expect: none
"""Image-like tensors scaled with fixed dataset constants (not computed from the data), then random_split."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

MEAN, STD = 0.1307, 0.3081


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(8 * 14 * 14, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    torch.manual_seed(0)
    images = torch.rand(400, 1, 28, 28)
    labels = torch.randint(0, 10, (400,))
    images = (images - MEAN) / STD
    train_set, val_set = random_split(TensorDataset(images, labels), [320, 80])
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=80)

    model = TinyCNN()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(1):
        model.train()
        for x, t in train_loader:
            optimizer.zero_grad()
            criterion(model(x), t).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for x, t in val_loader:
                print("val loss", criterion(model(x), t).item())


if __name__ == "__main__":
    main()
