# expect: NN207@12
"""nn.LogSoftmax() without dim at the end of a Sequential trained with NLLLoss."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(28 * 28, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
    nn.LogSoftmax(),
)
criterion = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

torch.manual_seed(0)
train_loader = DataLoader(TensorDataset(torch.randn(192, 1, 28, 28), torch.randint(0, 10, (192,))), batch_size=32, shuffle=True)
test_loader = DataLoader(TensorDataset(torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))), batch_size=64)

for epoch in range(2):
    model.train()
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        test_loss = sum(criterion(model(images), labels).item() for images, labels in test_loader)
    print(f"epoch {epoch}: test loss {test_loss:.4f}")
