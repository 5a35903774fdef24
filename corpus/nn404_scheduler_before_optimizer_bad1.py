# expect: NN404@28
"""Per-iteration warm-up schedule stepped before the optimizer in each batch: the first learning
rate of the schedule is skipped."""
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LambdaLR
from torch.utils.data import DataLoader, TensorDataset

WARMUP = 10


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 16)
    y = torch.randint(0, 4, (256,))
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / WARMUP))

    for epoch in range(2):
        model.train()
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            scheduler.step()
            optimizer.step()
        print(epoch, loss.item(), scheduler.get_last_lr())


if __name__ == "__main__":
    main()
