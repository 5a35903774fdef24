# expect: none
"""Gradient accumulation: gradients are summed over ACCUM micro-batches on purpose, then the
optimizer steps and zero_grad(set_to_none=True) clears them."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

ACCUM = 4


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 20)
    y = torch.randint(0, 3, (256,))
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)

    for epoch in range(2):
        model.train()
        for i, (inputs, targets) in enumerate(loader):
            loss = criterion(model(inputs), targets) / ACCUM
            loss.backward()
            if (i + 1) % ACCUM == 0:
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
        print(epoch, loss.item() * ACCUM)


if __name__ == "__main__":
    main()
