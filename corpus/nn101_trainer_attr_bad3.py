# expect: NN101@41
# expect-dynamic: NN101
"""A small Trainer class over a map-style Dataset; its loader is built without shuffling."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class SyntheticDigits(Dataset):
    """Flattened 8x8 'digits' generated one class after another."""

    def __init__(self, per_class: int = 48, num_classes: int = 10) -> None:
        self.prototypes = torch.randn(num_classes, 64)
        self.labels = torch.arange(num_classes).repeat_interleave(per_class)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        label = self.labels[index]
        image = self.prototypes[label] + 0.3 * torch.randn(64)
        return image, label


class ConvNet(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.fc = nn.Linear(8 * 4 * 4, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.view(-1, 1, 8, 8)
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(torch.flatten(x, 1))


class Trainer:
    def __init__(self, model: nn.Module, dataset: Dataset, lr: float = 0.01) -> None:
        self.model = model
        self.loader = DataLoader(dataset, batch_size=32, num_workers=0, drop_last=True)
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    def fit(self, epochs: int) -> None:
        self.model.train()
        for epoch in range(epochs):
            seen, total = 0, 0.0
            for images, labels in self.loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(images), labels)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(labels)
                seen += len(labels)
            print(f"epoch {epoch}: loss {total / seen:.4f}")


def main() -> None:
    torch.manual_seed(0)
    trainer = Trainer(ConvNet(), SyntheticDigits())
    trainer.fit(epochs=2)


if __name__ == "__main__":
    main()
