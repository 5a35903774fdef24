# expect: NN206@31
"""A Trainer whose evaluate() runs `self.net.forward(inputs)`."""
import torch
from torch import nn
from torch.nn import CrossEntropyLoss
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, net, lr=1e-3):
        self.net = net
        self.criterion = CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(net.parameters(), lr=lr)

    def train_epoch(self, loader):
        self.net.train()
        total = 0.0
        for inputs, labels in loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.net(inputs), labels)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(loader)

    def evaluate(self, loader):
        self.net.eval()
        correct = 0
        with torch.no_grad():
            for inputs, labels in loader:
                logits = self.net.forward(inputs)
                correct += (logits.argmax(dim=1) == labels).sum().item()
        self.net.train()
        return correct / len(loader.dataset)


def main():
    torch.manual_seed(0)
    train = DataLoader(TensorDataset(torch.randn(200, 3, 8, 8), torch.randint(0, 4, (200,))), batch_size=20, shuffle=True)
    val = DataLoader(TensorDataset(torch.randn(40, 3, 8, 8), torch.randint(0, 4, (40,))), batch_size=40)
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 4))
    trainer = Trainer(net)
    for epoch in range(2):
        print(epoch, trainer.train_epoch(train), trainer.evaluate(val))


if __name__ == "__main__":
    main()
