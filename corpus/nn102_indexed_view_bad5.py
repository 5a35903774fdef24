# expect: NN102@16
# expect-dynamic: NN102
"""Colour jitter written with numpy on HWC arrays, applied to a CHW image batch: each image is taken
out of the batch with images[i] and "converted" to HWC with view(H, W, 3), which cuts the red, green
and blue planes into interleaved pixels instead of moving the channel axis."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def jitter(images: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    out = []
    for i in range(images.shape[0]):
        hwc = images[i].view(images.shape[2], images.shape[3], 3).numpy()
        gains = rng.uniform(0.8, 1.2, size=3).astype(np.float32)
        out.append(torch.from_numpy(hwc * gains).permute(2, 0, 1))
    return torch.stack(out)


class SmallCNN(nn.Module):
    def __init__(self, classes: int = 4) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(16, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


def main() -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    images = torch.randn(128, 3, 16, 16)
    labels = torch.randint(0, 4, (128,))
    loader = DataLoader(TensorDataset(jitter(images, rng), labels), batch_size=32, shuffle=True)
    model = SmallCNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(2):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
