"""NN902: the forward never uses its input (it reads a stale buffer), so zeroed inputs do as well."""
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
        self.register_buffer("stale", torch.zeros(1, 8))

    def forward(self, x):
        return self.body(self.stale.expand(x.shape[0], -1))


torch.manual_seed(0)
model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
for _step in range(5):
    x = torch.randn(64, 8)
    y = 4.0 + x.sum(dim=1, keepdim=True)
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
