# expect: NN201@35
# requires: accelerate
"""A classifier trained through Hugging Face accelerate: the model comes back from
accelerator.prepare and the loss goes through accelerator.backward; its forward ends in a softmax
that then enters CrossEntropyLoss."""
import torch
import torch.nn.functional as F
from accelerate import Accelerator
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(12, 32)
        self.out = nn.Linear(32, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.softmax(self.out(F.relu(self.hidden(x))), dim=1)


def main() -> None:
    accelerator = Accelerator(cpu=True)
    torch.manual_seed(0)
    features, labels = torch.randn(256, 12), torch.randint(0, 3, (256,))
    train_loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)
    model = Classifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)
    for epoch in range(3):
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            accelerator.backward(loss)
            optimizer.step()
        accelerator.print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
