"""Closures that capture the original model's modules (as minGPT's `self.mlpf = lambda x: ...` does).
NN904 runs on the model itself: no false alarm. The copies that train get those closures remade on their
own modules; one hidden in a dict is not remade, and the copy reaching the original's parameters drops
the training results. A dropout module held outside the model is a true NN904: eval() never reaches it."""
import sys

import torch
from torch import nn

outside = nn.Dropout(0.5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 32)
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(32, 3)
        self.regularise = lambda t: self.drop(t)  # a copy's forward would call the original's dropout
        self.classify = lambda t: self.head(t)
        self.helpers = {"classify": lambda t: self.head(t)}

    def forward(self, x):
        h = self.regularise(torch.relu(self.body(x)))
        if "--outside" in sys.argv:
            h = outside(h)
        if "--hidden-closure" in sys.argv:
            return self.helpers["classify"](h)
        return self.classify(h)


torch.manual_seed(0)
model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _step in range(5):
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
