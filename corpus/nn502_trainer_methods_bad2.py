# expect: NN502@40
# expect-dynamic: NN502
"""A Trainer whose validate() switches to eval mode; train_epoch() never switches back to train mode."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class ConvClassifier(nn.Module):
    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(8 * 6 * 6, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class Trainer:
    def __init__(self, model: nn.Module, train_loader: DataLoader, val_loader: DataLoader) -> None:
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)

    def train_epoch(self) -> float:
        total = 0.0
        for images, labels in self.train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(images), labels)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(self.train_loader)

    def validate(self) -> float:
        self.model.eval()
        correct = 0
        with torch.no_grad():
            for images, labels in self.val_loader:
                correct += (self.model(images).argmax(dim=1) == labels).sum().item()
        return correct / len(self.val_loader.dataset)

    def fit(self, epochs: int) -> None:
        for epoch in range(epochs):
            loss = self.train_epoch()
            acc = self.validate()
            print(f"epoch {epoch}: loss {loss:.4f} val acc {acc:.3f}")


def main() -> None:
    torch.manual_seed(0)
    train = TensorDataset(torch.randn(160, 3, 12, 12), torch.randint(0, 5, (160,)))
    val = TensorDataset(torch.randn(40, 3, 12, 12), torch.randint(0, 5, (40,)))
    trainer = Trainer(ConvClassifier(), DataLoader(train, batch_size=16, shuffle=True), DataLoader(val, batch_size=40))
    trainer.fit(epochs=2)


if __name__ == "__main__":
    main()
