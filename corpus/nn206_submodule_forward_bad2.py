# expect: NN206@25
"""An encoder/decoder model that calls its encoder submodule's forward directly."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Encoder(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden))

    def forward(self, x):
        return self.net(x)


class Seq2Label(nn.Module):
    def __init__(self, dim=12, hidden=32, n_classes=3):
        super().__init__()
        self.encoder = Encoder(dim, hidden)
        self.classifier = nn.Linear(hidden, n_classes)

    def forward(self, x):
        h = self.encoder.forward(x)
        return self.classifier(torch.relu(h))


def main():
    torch.manual_seed(0)
    train = DataLoader(TensorDataset(torch.randn(240, 12), torch.randint(0, 3, (240,))), batch_size=24, shuffle=True)
    val = DataLoader(TensorDataset(torch.randn(60, 12), torch.randint(0, 3, (60,))), batch_size=60)
    model = Seq2Label()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            x, y = next(iter(val))
            print(epoch, F.cross_entropy(model(x), y).item())


if __name__ == "__main__":
    main()
