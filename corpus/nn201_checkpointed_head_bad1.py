# expect: NN201@28
# The classifier head runs under activation checkpointing (torch.utils.checkpoint); the head ends in
# Softmax, and its probabilities go to CrossEntropyLoss, which applies log-softmax again.
import torch
from torch import nn
from torch.utils.checkpoint import checkpoint
from torch.utils.data import DataLoader, TensorDataset


class CheckpointedClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(32, 64), nn.GELU())
        self.head = nn.Sequential(nn.Linear(64, 6), nn.Softmax(dim=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return checkpoint(self.head, self.trunk(x), use_reentrant=False)


if __name__ == "__main__":
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(96, 32), torch.randint(0, 6, (96,))), batch_size=32, shuffle=True)
    model = CheckpointedClassifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    print(loss.item())
