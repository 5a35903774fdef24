"""nanoGPT's hand-made warm-up: the first step runs at lr / 2001; the copy trains at the rate meant."""
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 3))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
for step in range(5):
    for group in optimizer.param_groups:
        group["lr"] = 1e-2 * (step + 1) / 2001
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
