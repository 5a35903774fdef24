# expect: none
"""Mixed precision with a GradScaler: scaler.scale(loss).backward() pairs with
scaler.step(optimizer); plus a full-batch LBFGS fit whose backward runs inside the closure."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def train_amp(model, loader, epochs=2):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu")
    for epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
                loss = criterion(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        print("amp epoch", epoch, loss.item())


def fit_lbfgs(x, y, steps=5):
    linear = nn.Linear(x.shape[1], 1)
    optimizer = torch.optim.LBFGS(linear.parameters(), lr=0.5, max_iter=10)

    def closure():
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(linear(x).squeeze(1), y)
        loss.backward()
        return loss

    for _ in range(steps):
        loss = optimizer.step(closure)
    print("lbfgs loss", loss.item())


def main():
    torch.manual_seed(0)
    x = torch.randn(128, 10)
    y = torch.randint(0, 3, (128,))
    train_amp(nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3)),
              DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True))
    fit_lbfgs(x, torch.randn(128))


if __name__ == "__main__":
    main()
