# expect: NN205@13
"""1-D audio classifier: AvgPool1d(kernel_size=3, stride=5) drops two samples of every five."""
import torch
from torch import nn
from torch.nn import AvgPool1d
from torch.utils.data import DataLoader, TensorDataset


class AudioNet(nn.Module):
    def __init__(self, n_classes: int = 6):
        super().__init__()
        self.conv = nn.Conv1d(1, 16, kernel_size=9, padding=4)
        self.pool = AvgPool1d(kernel_size=3, stride=5)
        self.conv2 = nn.Conv1d(16, 32, kernel_size=5, padding=2)
        self.head = nn.Linear(32, n_classes)

    def forward(self, wav):
        x = self.pool(torch.relu(self.conv(wav)))
        x = torch.relu(self.conv2(x))
        return self.head(x.amax(dim=-1))


def main():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(96, 1, 800), torch.randint(0, 6, (96,))), batch_size=16, shuffle=True)
    model = AudioNet()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        epoch_loss = 0.0
        for wav, label in loader:
            optimizer.zero_grad()
            loss = criterion(model(wav), label)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item()
        print(f"epoch {epoch}: {epoch_loss / len(loader):.4f}")


if __name__ == "__main__":
    main()
