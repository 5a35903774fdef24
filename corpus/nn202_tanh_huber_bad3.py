# expect: NN202@33
# expect-dynamic: NN202
"""A sequence regressor that ends in nn.Tanh, trained with HuberLoss on targets spanning about [-6, 6]."""
import torch
from torch import nn
from torch.nn import HuberLoss
from torch.utils.data import DataLoader, TensorDataset


class GRURegressor(nn.Module):
    def __init__(self, input_size: int = 4, hidden_size: int = 32) -> None:
        super().__init__()
        self.rnn = nn.GRU(input_size, hidden_size, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden_size, 16), nn.ReLU(), nn.Linear(16, 1), nn.Tanh())

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        _, hidden = self.rnn(seq)
        return self.head(hidden[-1])


class Trainer:
    def __init__(self, model: nn.Module, loader: DataLoader) -> None:
        self.model = model
        self.loader = loader
        self.criterion = HuberLoss(delta=1.0)
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_epoch(self) -> float:
        self.model.train()
        total = 0.0
        for seq, target in self.loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(seq), target)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(self.loader)


def main() -> None:
    torch.manual_seed(0)
    seqs = torch.randn(256, 10, 4)
    targets = 3.0 * seqs.sum(dim=(1, 2), keepdim=False).unsqueeze(1) / 4.0
    trainer = Trainer(GRURegressor(), DataLoader(TensorDataset(seqs, targets), batch_size=32, shuffle=True))
    for epoch in range(2):
        print(f"epoch {epoch}: huber {trainer.train_epoch():.4f}")


if __name__ == "__main__":
    main()
