# expect: none
# The data set is stored class after class and its loader does not shuffle, but the denoising
# autoencoder trained on it throws every batch's labels away (`for step, (images, _) in ...`): the
# reconstruction loss never sees a class, so there is no class order for the batches to follow.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def glyphs_by_class(per_class: int, classes: int = 5) -> TensorDataset:
    labels = torch.arange(classes).repeat_interleave(per_class)
    prototypes = torch.rand(classes, 1, 12, 12)
    images = (prototypes[labels] + 0.1 * torch.randn(len(labels), 1, 12, 12)).clamp(0, 1)
    return TensorDataset(images, labels)


class DenoisingAutoencoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encode = nn.Sequential(nn.Flatten(), nn.Linear(144, 24), nn.ReLU())
        self.decode = nn.Sequential(nn.Linear(24, 144), nn.Sigmoid(), nn.Unflatten(1, (1, 12, 12)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def main() -> None:
    torch.manual_seed(3)
    loader = DataLoader(glyphs_by_class(40), batch_size=20)
    autoencoder = DenoisingAutoencoder()
    optimizer = torch.optim.Adam(autoencoder.parameters(), lr=3e-3)
    reconstruction = nn.BCELoss()
    autoencoder.train()
    for epoch in range(4):
        total = 0.0
        for step, (images, _) in enumerate(loader):
            noisy = (images + 0.3 * torch.randn_like(images)).clamp(0, 1)
            optimizer.zero_grad()
            loss = reconstruction(autoencoder(noisy), images)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: reconstruction {total / (step + 1):.4f}")


if __name__ == "__main__":
    main()
