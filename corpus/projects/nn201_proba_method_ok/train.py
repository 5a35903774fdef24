# expect: none
"""Trains models.TabularClassifier on logits with CrossEntropyLoss; probabilities only for reporting."""
import torch
from torch.nn import CrossEntropyLoss
from torch.utils.data import DataLoader, TensorDataset

from models import TabularClassifier


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(360, 9)
    y = torch.randint(0, 4, (360,))
    loader = DataLoader(TensorDataset(x[:300], y[:300]), batch_size=30, shuffle=True)
    model = TabularClassifier(num_features=9, num_classes=4)
    criterion = CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            probs = model.predict_proba(x[300:])
        print(f"epoch {epoch}: loss {loss.item():.4f} mean max prob {probs.max(dim=-1).values.mean().item():.3f}")


if __name__ == "__main__":
    main()
