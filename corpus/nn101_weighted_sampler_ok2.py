# expect: none
"""Imbalanced classes: the training loader draws through a WeightedRandomSampler instead of shuffle."""
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset, WeightedRandomSampler

torch.manual_seed(0)
labels = torch.cat([torch.zeros(450, dtype=torch.long), torch.ones(50, dtype=torch.long)])
features = torch.randn(500, 10) + labels.unsqueeze(1).float()
dataset = TensorDataset(features, labels)

class_counts = torch.bincount(labels).float()
sample_weights = (1.0 / class_counts)[labels]
sampler = WeightedRandomSampler(sample_weights, num_samples=len(dataset), replacement=True)
train_loader = DataLoader(dataset, batch_size=50, sampler=sampler)

# A second run over the same data with an explicit batch sampler.
batches = BatchSampler(RandomSampler(dataset), batch_size=50, drop_last=False)
finetune_loader = DataLoader(dataset, batch_sampler=batches)

model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

for loader in (train_loader, finetune_loader):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"last batch loss {loss.item():.4f}")
