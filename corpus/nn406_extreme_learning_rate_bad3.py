# expect: NN406@16
# expect-dynamic: NN810
"""Fine-tuning with AdamW at lr=1e-9: so small that the weights effectively never move."""
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

CONFIG = {"epochs": 2, "batch_size": 16, "weight_decay": 0.01}


class Trainer:
    def __init__(self, model):
        self.model = model
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = optim.AdamW(model.parameters(), lr=1e-9, weight_decay=CONFIG["weight_decay"])

    def fit(self, loader):
        for epoch in range(CONFIG["epochs"]):
            self.model.train()
            for x, y in loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), y)
                loss.backward()
                self.optimizer.step()
            print(epoch, loss.item())


if __name__ == "__main__":
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(160, 8), torch.randint(0, 4, (160,)))
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    Trainer(model).fit(DataLoader(data, batch_size=CONFIG["batch_size"], shuffle=True))
