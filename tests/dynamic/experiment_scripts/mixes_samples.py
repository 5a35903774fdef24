"""NN903 and NN904: a view that swaps the batch and time axes, and functional dropout without training=."""
import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 16)
        self.mix = nn.Linear(6, 6)
        self.head = nn.Linear(16 * 6, 2)

    def forward(self, x):  # x: (B, 6, 4)
        h = self.proj(x)  # (B, 6, 16)
        h = h.view(h.size(1), h.size(0), -1)  # meant as a transpose: (6, B, 16)
        h = self.mix(h.transpose(0, 2)).transpose(0, 2)
        h = F.dropout(h, p=0.5)
        return self.head(h.reshape(x.shape[0], -1))


torch.manual_seed(0)
model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _step in range(5):
    x, y = torch.randn(16, 6, 4), torch.randint(0, 2, (16,))
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
