"""Clean: every experiment passes (an MLP with a dropout module, Adam, cross-entropy)."""
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
data = torch.utils.data.TensorDataset(torch.randn(256, 8), torch.randint(0, 3, (256,)))
loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True)
for _epoch in range(2):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        print("loss", repr(loss.item()), "training", model.training, "rng", repr(torch.rand(1).item()))
