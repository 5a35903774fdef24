# expect: NN101@29
# The autoencoder pretraining throws the labels away, but the same unshuffled loader then trains a
# classifier probe on the labels: the data set is stored class after class, so during the probe every
# batch holds a single class and the probe chases one class after another.
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
    for epoch in range(3):
        for images, _ in loader:
            noisy = (images + 0.3 * torch.randn_like(images)).clamp(0, 1)
            optimizer.zero_grad()
            loss = reconstruction(autoencoder(noisy), images)
            loss.backward()
            optimizer.step()

    probe = nn.Linear(24, 5)
    probe_optimizer = torch.optim.SGD(probe.parameters(), lr=0.1)
    classify = nn.CrossEntropyLoss()
    for epoch in range(3):
        correct = 0
        for images, labels in loader:
            with torch.no_grad():
                codes = autoencoder.encode(images)
            probe_optimizer.zero_grad()
            logits = probe(codes)
            loss = classify(logits, labels)
            loss.backward()
            probe_optimizer.step()
            correct += (logits.argmax(1) == labels).sum().item()
        print(f"probe epoch {epoch}: accuracy {correct / len(loader.dataset):.2f}")


if __name__ == "__main__":
    main()
