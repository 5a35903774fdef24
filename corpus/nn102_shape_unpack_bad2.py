# expect: NN102@21
"""A Dataset whose __getitem__ turns an HWC image into CHW with reshape instead of a transpose."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class FolderLikeDataset(Dataset):
    def __init__(self, count: int = 192, size: int = 28) -> None:
        rng = np.random.default_rng(1)
        self.images = rng.standard_normal((count, size, size, 3)).astype(np.float32)
        self.labels = rng.integers(0, 4, size=count)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, idx: int):
        img = self.images[idx]
        h, w, c = img.shape
        img = img.reshape(c, h, w)
        return torch.from_numpy(img), int(self.labels[idx])


class SmallCNN(nn.Module):
    def __init__(self, num_classes: int = 4) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 12, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(12, 24, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(24 * 4 * 4, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


def main() -> None:
    torch.manual_seed(0)
    loader = DataLoader(FolderLikeDataset(), batch_size=32, shuffle=True)
    model = SmallCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(1):
        total = 0.0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
