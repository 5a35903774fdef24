# expect: NN405@34
"""Loss history kept for plotting by appending the loss tensor itself."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Autoencoder(nn.Module):
    def __init__(self, dim=64, code=8):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, code))
        self.decoder = nn.Sequential(nn.Linear(code, 32), nn.ReLU(), nn.Linear(32, dim))

    def forward(self, x):
        return self.decoder(self.encoder(x))


torch.manual_seed(0)
data = torch.randn(512, 64)
loader = DataLoader(TensorDataset(data), batch_size=64, shuffle=True)
model = Autoencoder()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
history = []

for epoch in range(2):
    model.train()
    for (batch,) in loader:
        optimizer.zero_grad()
        reconstruction = model(batch)
        loss = F.mse_loss(reconstruction, batch)
        loss.backward()
        optimizer.step()
        history.append(loss)
    print(f"epoch {epoch}: last loss {history[-1].item():.4f}")
