# expect: NN106@11
# expect-dynamic: NN106
"""The sampler is built inside a helper; the epoch loop only ever sees the loader."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler as DS


def make_train_loader(dataset, batch_size, world_size=1, rank=0):
    sampler = DS(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=42)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=True)


def train_one_epoch(model, loader, optimizer, loss_fn):
    model.train()
    losses = []
    for batch, target in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(batch), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


def main():
    torch.manual_seed(0)
    dataset = TensorDataset(torch.randn(400, 3, 16, 16), torch.randint(0, 5, (400,)))
    train_loader = make_train_loader(dataset, batch_size=40)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 5),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    for epoch in range(2):
        print(f"epoch {epoch}: {train_one_epoch(model, train_loader, optimizer, loss_fn):.4f}")


if __name__ == "__main__":
    main()
