# expect: NN204@14
# expect-dynamic: NN204, NN808
"""A hand-written linear layer whose weight matrix is an nn.Parameter of zeros."""
import math

import torch
from torch import nn
from torch.nn import CrossEntropyLoss as CE


class MyLinear(nn.Module):
    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features))

    def forward(self, x):
        return x @ self.weight.t() + self.bias


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = MyLinear(8, 32)
        self.out = nn.Linear(32, 2)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 8)
    y = (x[:, 0] * x[:, 1] > 0).long()
    model = Classifier()
    criterion = CE()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for step in range(20):
        idx = torch.randint(0, 256, (32,))
        optimizer.zero_grad()
        loss = criterion(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
    print(f"final loss {loss.item():.4f} (chance {math.log(2):.4f})")


if __name__ == "__main__":
    main()
