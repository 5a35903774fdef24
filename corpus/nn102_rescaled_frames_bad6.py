# expect: NN102@23
# expect-dynamic: NN102
"""Behaviour cloning from camera frames stored as uint8 (N, H, W, C). The policy reads the sizes from
the frames' shape, rescales them (a reassignment), then reshapes to (N, C, H, W) instead of permuting:
the convolution sees scrambled planes."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class FramePolicy(nn.Module):
    def __init__(self, actions: int = 5) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(3, 16, 5, stride=2), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )
        self.head = nn.Linear(32, actions)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        n, h, w, c = frames.shape
        frames = frames.float() / 127.5 - 1.0
        x = frames.reshape(n, c, h, w)
        return self.head(self.conv(x).flatten(1))


def demonstrations(n: int):
    """Frames with a bright square; the expert's action is the square's quadrant (or 4 if centred)."""
    frames = torch.randint(0, 60, (n, 40, 40, 3), dtype=torch.uint8)
    actions = torch.randint(0, 5, (n,))
    for i in range(n):
        row, col = [(4, 4), (4, 24), (24, 4), (24, 24), (14, 14)][int(actions[i])]
        frames[i, row:row + 12, col:col + 12] = 220
    return frames, actions


def main() -> None:
    torch.manual_seed(0)
    frames, actions = demonstrations(256)
    loader = DataLoader(TensorDataset(frames, actions), batch_size=32, shuffle=True)
    policy = FramePolicy()
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-3)
    for epoch in range(2):
        policy.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(policy(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
