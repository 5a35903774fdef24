# expect: NN301@25
# expect-dynamic: NN301
"""Trains ChurnNet (defined in models.py, whose forward already applies a sigmoid) with
BCEWithLogitsLoss imported under an alias."""
import torch
from torch.nn import BCEWithLogitsLoss as LogitBCE
from torch.utils.data import DataLoader, TensorDataset

from models import ChurnNet


class Trainer:
    def __init__(self, model, lr: float = 1e-3) -> None:
        self.model = model
        self.criterion = LogitBCE()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def fit(self, loader, epochs: int) -> None:
        for epoch in range(epochs):
            self.model.train()
            seen = 0
            total = 0.0
            for x, y in loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), y)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(x)
                seen += len(x)
            print(f"epoch {epoch} loss {total / seen:.4f}")


if __name__ == "__main__":
    torch.manual_seed(1)
    x = torch.randn(200, 12)
    y = torch.randint(0, 2, (200,)).float()
    loader = DataLoader(TensorDataset(x, y), batch_size=25, shuffle=True)
    Trainer(ChurnNet(12)).fit(loader, epochs=2)
