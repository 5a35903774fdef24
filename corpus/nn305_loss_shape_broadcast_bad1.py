# expect: NN305@26
# expect-dynamic: NN305
"""House-price regression: the model outputs (N, 1) and the targets are (N,), so MSELoss
broadcasts them to (N, N) and the model learns the mean."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    features = torch.randn(512, 13)
    prices = features @ torch.randn(13) + 0.1 * torch.randn(512)
    loader = DataLoader(TensorDataset(features, prices), batch_size=64, shuffle=True)

    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(2):
        model.train()
        running = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            pred = model(x)
            loss = criterion(pred, y)
            loss.backward()
            optimizer.step()
            running += loss.item()
        print(f"epoch {epoch} mse {running / len(loader):.4f}")


if __name__ == "__main__":
    main()
