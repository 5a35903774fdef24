# expect: NN302@31
# A two-headed discriminator: forward returns (real/fake score, class probabilities); the class head
# ends in softmax, and those probabilities are fed to NLLLoss, which expects log-probabilities.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TwoHeadDiscriminator(nn.Module):
    def __init__(self, features: int = 16, classes: int = 5) -> None:
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(features, 32), nn.LeakyReLU(0.2))
        self.real_fake = nn.Linear(32, 1)
        self.classes = nn.Linear(32, classes)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x: torch.Tensor):
        hidden = self.trunk(x)
        return torch.sigmoid(self.real_fake(hidden)).squeeze(1), self.softmax(self.classes(hidden))


if __name__ == "__main__":
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(64, 16), torch.randint(0, 5, (64,))), batch_size=16, shuffle=True)
    disc = TwoHeadDiscriminator()
    source_loss, class_loss = nn.BCELoss(), nn.NLLLoss()
    optimizer = torch.optim.Adam(disc.parameters(), lr=2e-4)
    for x, label in loader:
        optimizer.zero_grad()
        real_fake, class_scores = disc(x)
        loss = source_loss(real_fake, torch.ones_like(real_fake)) + class_loss(class_scores, label)
        loss.backward()
        optimizer.step()
    print(loss.item())
