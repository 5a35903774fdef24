# expect: none
# A detection-style loop with an optional mixed-precision path: each branch clears the gradients
# before its own backward().
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(model, criterion, loader, optimizer, scaler, use_amp):
    model.train()
    for samples, targets in loader:
        with torch.autocast("cpu", enabled=use_amp):
            loss = criterion(model(samples), targets)
        if use_amp:
            optimizer.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return loss.item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--amp", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 4))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scaler = torch.cuda.amp.GradScaler(enabled=args.amp)
    loader = DataLoader(TensorDataset(torch.randn(96, 6), torch.randn(96, 4)), batch_size=16, shuffle=True)
    for epoch in range(2):
        print(epoch, train_one_epoch(model, nn.SmoothL1Loss(), loader, optimizer, scaler, args.amp))
