# expect: NN201@34
# expect-dynamic: NN201
"""Logits are turned into probabilities in the training loop and then handed to the criterion."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, num_classes: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.GELU(), nn.Linear(hidden, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def main() -> None:
    torch.manual_seed(0)
    features = torch.randn(400, 32)
    targets = torch.randint(0, 6, (400,))
    loader = DataLoader(TensorDataset(features, targets), batch_size=50, shuffle=True)
    model = MLP(32, 64, 6)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)

    model.train()
    for epoch in range(2):
        correct = 0
        for xb, yb in loader:
            optimizer.zero_grad()
            logits = model(xb)
            probs = torch.softmax(logits, dim=-1)
            loss = criterion(probs, yb)
            loss.backward()
            optimizer.step()
            correct += (probs.argmax(dim=-1) == yb).sum().item()
        print(f"epoch {epoch}: train acc {correct / len(features):.3f}")


if __name__ == "__main__":
    main()
