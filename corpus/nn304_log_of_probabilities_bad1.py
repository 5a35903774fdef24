# expect: NN304@15
"""Hand-written soft-target cross-entropy (label smoothing) computed as log(softmax(x)); for a
confident model softmax underflows to 0 and the log gives -inf."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

NUM_CLASSES = 5


def smoothed_cross_entropy(logits: torch.Tensor, target: torch.Tensor, smoothing: float = 0.1) -> torch.Tensor:
    soft = torch.full_like(logits, smoothing / (NUM_CLASSES - 1))
    soft.scatter_(1, target.unsqueeze(1), 1.0 - smoothing)
    log_probs = torch.log(F.softmax(logits, dim=1))
    return -(soft * log_probs).sum(dim=1).mean()


def main():
    torch.manual_seed(0)
    x = torch.randn(320, 40)
    y = torch.randint(0, NUM_CLASSES, (320,))
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, NUM_CLASSES))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = smoothed_cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(epoch, loss.item())


if __name__ == "__main__":
    main()
