# expect: NN501@32
# expect-dynamic: NN501
"""A Trainer whose @torch.inference_mode() validate method runs the Dropout model in training mode."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model: nn.Module, train_loader: DataLoader, val_loader: DataLoader) -> None:
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.criterion = nn.MSELoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_epoch(self) -> float:
        self.model.train()
        total = 0.0
        for xb, yb in self.train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(xb), yb)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(self.train_loader)

    @torch.inference_mode()
    def validate(self) -> float:
        total = 0.0
        for xb, yb in self.val_loader:
            total += self.criterion(self.model(xb), yb).item()
        return total / len(self.val_loader)

    def fit(self, epochs: int) -> None:
        for epoch in range(epochs):
            train_loss = self.train_epoch()
            print(f"epoch {epoch}: train {train_loss:.4f} val {self.validate():.4f}")


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(400, 6)
    y = x.sum(dim=1, keepdim=True) + 0.1 * torch.randn(400, 1)
    train_loader = DataLoader(TensorDataset(x[:320], y[:320]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[320:], y[320:]), batch_size=80)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 1))
    Trainer(model, train_loader, val_loader).fit(epochs=2)


if __name__ == "__main__":
    main()
