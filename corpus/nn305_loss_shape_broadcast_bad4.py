# expect: NN305@51
# expect-dynamic: NN305
"""Monocular depth regression: a small encoder-decoder predicts a one-channel map (N, 1, H, W), while
the data set stores each depth map as (H, W), so the batches are (N, H, W). SmoothL1Loss broadcasts
the pair to (N, N, H, W) and regresses every image's prediction onto every image's depth."""
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", message="Using a target size")


class DepthNet(nn.Module):
    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride=2, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(width, width, 2, stride=2), nn.ReLU(), nn.Conv2d(width, 1, 3, padding=1)
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(image))


def synthetic_scenes(n: int, size: int = 32):
    """Images of a tilted plane: depth grows towards the bottom, brightness falls with depth."""
    rows = torch.linspace(0, 1, size).view(1, size, 1)
    tilt = torch.rand(n, 1, 1)
    depth = 1 + tilt * rows + 0.05 * torch.randn(n, size, size)
    image = torch.stack([1 / depth, 0.5 / depth, torch.rand(n, size, size)], dim=1)
    image = (image - image.mean()) / image.std()
    return image, depth


def main() -> None:
    torch.manual_seed(0)
    images, depths = synthetic_scenes(256)
    loader = DataLoader(TensorDataset(images, depths), batch_size=16, shuffle=True)
    model = DepthNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for image, depth in loader:
            optimizer.zero_grad()
            loss = F.smooth_l1_loss(model(image), depth)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
