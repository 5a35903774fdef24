# expect: none
"""Channels-last tensors converted with permute/movedim; reshapes here keep the axis order."""
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class PatchDataset(Dataset):
    def __init__(self, count: int = 128) -> None:
        self.patches = torch.randn(count, 12, 12, 3)
        self.labels = torch.randint(0, 3, (count,))

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, idx: int):
        patch = self.patches[idx]
        h, w, c = patch.shape
        flat = patch.reshape(h * w * c)  # keeps H, W, C order: only merges axes
        chw = flat.view(h, w, c).permute(2, 0, 1).contiguous()
        return chw, self.labels[idx]


def main() -> None:
    torch.manual_seed(0)
    loader = DataLoader(PatchDataset(), batch_size=32, shuffle=True)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 10 * 10, 3),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()

    video = torch.randn(4, 12, 12, 3)
    frames = torch.movedim(video, -1, 1)
    print("movedim frames", tuple(frames.shape))
    batch = video.permute(0, 3, 1, 2).reshape(4, 3, 12, 12)
    print("permuted batch", tuple(batch.shape))

    model.train()
    for epoch in range(2):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
