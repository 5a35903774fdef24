# expect: none
"""The loss sees logits; softmax is only used to report confidences and accuracy."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(480, 16)
    y = torch.randint(0, 3, (480,))
    train_loader = DataLoader(TensorDataset(x[:384], y[:384]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[384:], y[384:]), batch_size=96)

    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            logits = model(xb)
            loss = criterion(logits, yb)
            loss.backward()
            optimizer.step()
            probs = F.softmax(logits.detach(), dim=1)
            batch_confidence = probs.max(dim=1).values.mean().item()

        model.eval()
        with torch.no_grad():
            for xb, yb in val_loader:
                probs = torch.softmax(model(xb), dim=1)
                confidence, predicted = probs.max(dim=1)
                accuracy = (predicted == yb).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.4f} train conf {batch_confidence:.3f} "
              f"val acc {accuracy:.3f} val conf {confidence.mean().item():.3f}")


if __name__ == "__main__":
    main()
