# expect: none
"""A DistributedSampler shards only the validation set (no shuffling, so no epoch to set)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    correct = 0
    for x, y in loader:
        correct += (model(x).argmax(dim=1) == y).sum().item()
    model.train()
    return correct


def main():
    torch.manual_seed(0)
    train_set = TensorDataset(torch.randn(300, 8), torch.randint(0, 2, (300,)))
    val_set = TensorDataset(torch.randn(100, 8), torch.randint(0, 2, (100,)))
    train_loader = DataLoader(train_set, batch_size=30, shuffle=True)
    val_sampler = DistributedSampler(val_set, num_replicas=1, rank=0, shuffle=False)
    val_loader = DataLoader(val_set, batch_size=50, sampler=val_sampler)

    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(2):
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        print(f"epoch {epoch}: {evaluate(model, val_loader)}/100 correct")


if __name__ == "__main__":
    main()
