# expect: NN405@20
# The reconstruction error is written by hand (no loss function), backpropagated, and then summed into
# the epoch total as a tensor: every iteration's graph stays alive until the epoch ends.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

if __name__ == "__main__":
    torch.manual_seed(0)
    autoencoder = nn.Sequential(nn.Linear(20, 6), nn.Tanh(), nn.Linear(6, 20))
    optimizer = torch.optim.Adam(autoencoder.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(torch.randn(128, 20)), batch_size=32, shuffle=True)
    for epoch in range(2):
        epoch_error = 0.0
        for (x,) in loader:
            optimizer.zero_grad()
            error = (autoencoder(x) - x).pow(2).mean()
            error.backward()
            optimizer.step()
            epoch_error += error
        print(epoch, float(epoch_error) / len(loader))
