# expect: none
"""DCGAN-style training on an image folder of one class: the discriminator's real/fake targets are made in the step."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

REAL_LABEL, FAKE_LABEL = 1.0, 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--nz", type=int, default=16)
    args = parser.parse_args()
    generator_rng = torch.Generator().manual_seed(0)
    images = torch.rand(512, 64, generator=generator_rng) * 2 - 1
    folder_classes = torch.zeros(512, dtype=torch.long)  # ImageFolder over one sub-folder: every class index is 0
    loader = DataLoader(TensorDataset(images, folder_classes), batch_size=64, shuffle=True)
    net_g = nn.Sequential(nn.Linear(args.nz, 128), nn.ReLU(), nn.Linear(128, 64), nn.Tanh())
    net_d = nn.Sequential(nn.Linear(64, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1), nn.Sigmoid())
    criterion = nn.BCELoss()
    optimizer_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    for epoch in range(args.epochs):
        for real, _ in loader:
            batch_size = real.size(0)
            net_d.zero_grad()
            label = torch.full((batch_size,), REAL_LABEL)
            error_real = criterion(net_d(real).view(-1), label)
            error_real.backward()
            fake = net_g(torch.randn(batch_size, args.nz))
            label.fill_(FAKE_LABEL)
            error_fake = criterion(net_d(fake.detach()).view(-1), label)
            error_fake.backward()
            optimizer_d.step()
            net_g.zero_grad()
            label.fill_(REAL_LABEL)
            error_g = criterion(net_d(fake).view(-1), label)
            error_g.backward()
            optimizer_g.step()
        print(f"epoch {epoch}: D {error_real.item() + error_fake.item():.3f} G {error_g.item():.3f}")


if __name__ == "__main__":
    main()
