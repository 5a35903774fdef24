# expect: NN302@31
# expect-dynamic: NN302
"""Digit-style classifier whose last layer is nn.Linear, trained with nn.NLLLoss: the loss
expects log-probabilities and gets raw scores."""
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    images = torch.randn(512, 1, 8, 8)
    targets = torch.randint(0, 10, (512,))
    loader = DataLoader(TensorDataset(images, targets), batch_size=64, shuffle=True)

    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )
    criterion = nn.NLLLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    for epoch in range(2):
        model.train()
        for batch_idx, (data, target) in enumerate(loader):
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output, target)
            loss.backward()
            optimizer.step()
            if batch_idx % 4 == 0:
                print(f"epoch {epoch} batch {batch_idx} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
