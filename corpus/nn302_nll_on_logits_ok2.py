# expect: none
"""The model ends in nn.LogSoftmax(dim=1), so nn.NLLLoss receives log-probabilities."""
from torch import nn, optim
import torch
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(
    nn.Linear(32, 64),
    nn.ReLU(),
    nn.Linear(64, 4),
    nn.LogSoftmax(dim=1),
)
criterion = nn.NLLLoss(weight=torch.tensor([1.0, 2.0, 1.0, 0.5]))
optimizer = optim.Adam(model.parameters(), lr=1e-3)

torch.manual_seed(0)
inputs = torch.randn(256, 32)
labels = torch.randint(0, 4, (256,))
loader = DataLoader(TensorDataset(inputs, labels), batch_size=32, shuffle=True)

for epoch in range(2):
    model.train()
    running_loss = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        log_probs = model(x)
        loss = criterion(log_probs, y)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print(f"[{epoch + 1}] loss: {running_loss / len(loader):.3f}")
