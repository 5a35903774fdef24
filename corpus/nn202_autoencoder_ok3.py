# expect: none
"""A denoising autoencoder: the Sigmoid output reconstructs inputs that lie in [0, 1]."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class AutoEncoder(nn.Module):
    def __init__(self, dim: int = 64, code: int = 8) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, code))
        self.decoder = nn.Sequential(nn.Linear(code, 32), nn.ReLU(), nn.Linear(32, dim), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def main() -> None:
    torch.manual_seed(0)
    images = torch.rand(512, 64)  # pixel intensities in [0, 1]
    loader = DataLoader(TensorDataset(images), batch_size=64, shuffle=True)
    model = AutoEncoder()
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        total = 0.0
        for (batch,) in loader:
            noisy = (batch + 0.1 * torch.randn_like(batch)).clamp(0.0, 1.0)
            optimizer.zero_grad()
            recon = model(noisy)
            loss = criterion(recon, batch)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: recon mse {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
