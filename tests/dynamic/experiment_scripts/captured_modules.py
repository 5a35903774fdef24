"""Closures that capture the original model's modules (as minGPT-style code can): no NN904 false alarm;
the training experiments see that a copy reaches the original's parameters and drop their results.
A dropout module held outside the model is a true NN904: model.eval() does not reach it."""
import torch
from torch import nn

outside = nn.Dropout(0.5)


class Net(nn.Module):
    def __init__(self, use_outside):
        super().__init__()
        self.body = nn.Linear(8, 32)
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(32, 3)
        self.use_outside = use_outside
        self.regularise = lambda t: self.drop(t)  # captures this module: a copy's forward calls the original's
        self.classify = lambda t: self.head(t)

    def forward(self, x):
        h = self.regularise(torch.relu(self.body(x)))
        if self.use_outside:
            h = outside(h)
        return self.classify(h)


import sys

torch.manual_seed(0)
model = Net(use_outside="--outside" in sys.argv)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(5):
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
