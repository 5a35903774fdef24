# expect: NN502@21
"""Trains a dropout regressor and validates every 4 batches with evaluation.validate, which leaves
the network in eval mode: the rest of the epoch trains without dropout."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from evaluation import validate


def train(network, train_batches, val_batches, epochs: int = 2) -> None:
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    for epoch in range(epochs):
        network.train()
        for step, (x, y) in enumerate(train_batches):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(network(x), y)
            loss.backward()
            optimizer.step()
            if step % 4 == 3:
                print(epoch, step, validate(network, val_batches))


if __name__ == "__main__":
    torch.manual_seed(0)
    network = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1))
    train_batches = DataLoader(TensorDataset(torch.randn(128, 8), torch.randn(128, 1)), batch_size=16, shuffle=True)
    val_batches = DataLoader(TensorDataset(torch.randn(32, 8), torch.randn(32, 1)), batch_size=16)
    train(network, train_batches, val_batches)
