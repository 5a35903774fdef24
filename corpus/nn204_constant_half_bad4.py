# expect: NN204@14
"""An encoder layer whose weight is set to one constant with nn.init.constant_."""
import torch
from torch import nn
from torch.nn import init
from torch.utils.data import DataLoader, TensorDataset


class AutoEncoder(nn.Module):
    def __init__(self, dim: int = 16, code: int = 4):
        super().__init__()
        self.encoder = nn.Linear(dim, code)
        self.decoder = nn.Linear(code, dim)
        init.constant_(self.encoder.weight, 0.5)
        init.xavier_uniform_(self.decoder.weight)

    def forward(self, x):
        return self.decoder(torch.relu(self.encoder(x)))


def main():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(256, 16)), batch_size=32, shuffle=True)
    model = AutoEncoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    model.train()
    for epoch in range(2):
        for (x,) in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), x)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: recon {loss.item():.4f}")


if __name__ == "__main__":
    main()
