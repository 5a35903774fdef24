# expect: NN305@23
# expect-dynamic: NN305
"""Trains the regressor from models.py with SmoothL1Loss; ages are stored as a flat vector."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from models import make_regressor


class Trainer:
    def __init__(self, model: nn.Module, lr: float = 1e-3) -> None:
        self.model = model
        self.loss_fn = nn.SmoothL1Loss(beta=2.0)
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr)

    def train_epoch(self, loader: DataLoader) -> float:
        self.model.train()
        total = 0.0
        for embeddings, ages in loader:
            self.optimizer.zero_grad()
            predicted_age = self.model(embeddings)
            loss = self.loss_fn(predicted_age, ages)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(loader)


def main() -> None:
    torch.manual_seed(0)
    embeddings = torch.randn(300, 64)
    ages = torch.rand(300) * 60 + 18
    loader = DataLoader(TensorDataset(embeddings, ages), batch_size=30, shuffle=True)
    trainer = Trainer(make_regressor())
    for epoch in range(2):
        print(epoch, trainer.train_epoch(loader))


if __name__ == "__main__":
    main()
