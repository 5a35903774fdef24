# expect: none
"""Intent classifier whose head normalisation is picked by name from a config: "none": raw scores reach cross-entropy."""
import argparse

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

CONFIG = {"classes": 5, "head_normalisation": "none"}


class IntentClassifier(nn.Module):
    def __init__(self, classes: int, normalisation: str) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, classes))
        self.normalise = getattr(F, normalisation) if normalisation != "none" else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scores = self.body(x)
        return self.normalise(scores, dim=-1) if self.normalise is not None else scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(640, 16, generator=generator)
    y = x[:, :5].argmax(dim=1)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = IntentClassifier(CONFIG["classes"], CONFIG["head_normalisation"])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(inputs), labels)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
