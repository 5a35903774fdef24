# expect: none
"""Validation loss summed as a tensor inside torch.no_grad() (no graph exists there), and a
training loss that sums several terms inside one iteration before backward."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(20, 32), nn.ReLU())
        self.cls = nn.Linear(32, 3)
        self.reg = nn.Linear(32, 1)

    def forward(self, x):
        h = self.body(x)
        return self.cls(h), self.reg(h).squeeze(1)


def evaluate(model, loader):
    model.eval()
    total = torch.zeros(())
    with torch.no_grad():
        for x, label, value in loader:
            logits, pred = model(x)
            total += F.cross_entropy(logits, label, reduction="sum")
    return total.item() / len(loader.dataset)


def main():
    torch.manual_seed(0)
    x = torch.randn(300, 20)
    label = torch.randint(0, 3, (300,))
    value = torch.randn(300)
    train_loader = DataLoader(TensorDataset(x[:240], label[:240], value[:240]), batch_size=24, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[240:], label[240:], value[240:]), batch_size=60)
    model = TwoHeads()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for xb, lb, vb in train_loader:
            optimizer.zero_grad()
            logits, pred = model(xb)
            loss = F.cross_entropy(logits, lb)
            loss += 0.5 * F.mse_loss(pred, vb)
            loss.backward()
            optimizer.step()
        print(epoch, evaluate(model, val_loader))


if __name__ == "__main__":
    main()
