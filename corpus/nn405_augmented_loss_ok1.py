# expect: none
# The loss gets a weight penalty added in place before backward(); the epoch sum adds its value
# (loss.item()), so each batch's graph is freed after its step.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def weight_penalty(module, strength=1e-4):
    return strength * sum(p.pow(2).sum() for p in module.parameters())


if __name__ == "__main__":
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    data = TensorDataset(torch.randn(128, 10), torch.randn(128, 1))
    loader = DataLoader(data, batch_size=16, shuffle=True)
    for epoch in range(3):
        running_loss = 0.0
        for features, target in loader:
            optimizer.zero_grad()
            loss = -torch.mean(torch.distributions.Normal(model(features), 1.0).log_prob(target))
            loss += weight_penalty(model)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(epoch, float(running_loss) / len(loader))
