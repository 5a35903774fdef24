# expect: none
"""A streaming IterableDataset: DataLoader cannot shuffle it, the stream is random already."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, IterableDataset


class SensorStream(IterableDataset):
    def __init__(self, num_samples: int, window: int = 24) -> None:
        super().__init__()
        self.num_samples = num_samples
        self.window = window

    def __iter__(self):
        generator = torch.Generator().manual_seed(0)
        for _ in range(self.num_samples):
            signal = torch.randn(self.window, generator=generator)
            label = int(signal.mean() > 0)
            yield signal, label


def main() -> None:
    torch.manual_seed(0)
    loader = DataLoader(SensorStream(512), batch_size=64)
    model = nn.Sequential(nn.Linear(24, 32), nn.ReLU(), nn.Linear(32, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for step, (signals, labels) in enumerate(loader):
        optimizer.zero_grad()
        loss = criterion(model(signals), labels)
        loss.backward()
        optimizer.step()
        if step % 4 == 0:
            print(f"step {step}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
