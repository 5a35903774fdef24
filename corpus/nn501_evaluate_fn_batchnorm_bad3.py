# expect: NN501@38
# expect-dynamic: NN501
"""A BatchNorm CNN; the final evaluate(model, loader) helper never calls model.eval()."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class BNNet(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc(x.flatten(1))


def train_one_epoch(model, loader, optimizer) -> None:
    model.train()
    for images, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()


def evaluate(model, loader):
    correct, total = 0, 0
    with torch.no_grad():
        for images, labels in loader:
            preds = model(images).argmax(dim=1)
            correct += (preds == labels).sum().item()
            total += labels.numel()
    return correct / total


def main() -> None:
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(256, 1, 16, 16), torch.randint(0, 10, (256,))), batch_size=32, shuffle=True
    )
    test_loader = DataLoader(TensorDataset(torch.randn(64, 1, 16, 16), torch.randint(0, 10, (64,))), batch_size=64)
    model = BNNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(2):
        train_one_epoch(model, train_loader, optimizer)
    print(f"test accuracy {evaluate(model, test_loader):.3f}")


if __name__ == "__main__":
    main()
