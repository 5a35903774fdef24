# expect: NN407@21
# expect-dynamic: NN407
"""A Sequential classifier re-targeted to 3 classes by assigning model[-1] after the optimizer
was built over the old layers."""
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(16, 64),
    nn.ReLU(),
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)
optimizer = optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

model[-1] = nn.Linear(64, 3)

data = TensorDataset(torch.randn(240, 16), torch.randint(0, 3, (240,)))
loader = DataLoader(data, batch_size=24, shuffle=True)
for epoch in range(2):
    model.train()
    running = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        running += loss.item()
    print(f"epoch {epoch}: {running / len(loader):.4f}")
