# expect: none
"""A Trainer that reshuffles its in-memory tensors each epoch with one shared permutation."""
import numpy as np
import torch
from torch import nn


class Trainer:
    def __init__(self, model, inputs, targets, lr=1e-3, batch_size=32):
        self.model = model
        self.inputs = inputs
        self.targets = targets
        self.batch_size = batch_size
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        self.criterion = nn.CrossEntropyLoss()

    def shuffle(self):
        p = np.random.permutation(len(self.inputs))
        self.inputs, self.targets = self.inputs[p], self.targets[p]

    def fit(self, epochs):
        self.model.train()
        for epoch in range(epochs):
            self.shuffle()
            running = 0.0
            for start in range(0, len(self.inputs), self.batch_size):
                xb = self.inputs[start:start + self.batch_size]
                yb = self.targets[start:start + self.batch_size]
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(xb), yb)
                loss.backward()
                self.optimizer.step()
                running += loss.item()
            print(f"epoch {epoch}: {running:.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(256, 6)
    t = torch.randint(0, 3, (256,))
    Trainer(nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3)), x, t).fit(2)
