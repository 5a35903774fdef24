# expect: NN102@13
# expect-dynamic: NN102
"""A hand-written to-tensor transform that views an HxWx3 frame as 3xHxW."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def to_tensor(frame: np.ndarray) -> torch.Tensor:
    tensor = torch.from_numpy(frame).float()
    return tensor.view(3, frame.shape[0], frame.shape[1])


class TinyNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.head = nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main() -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    frames = [rng.standard_normal((20, 20, 3)).astype(np.float32) for _ in range(160)]
    x = torch.stack([to_tensor(frame) for frame in frames])
    y = torch.randint(0, 3, (160,))
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)

    model = TinyNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
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
