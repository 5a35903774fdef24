# expect: NN303@26
"""Siamese matcher: forward returns a linear similarity score and the training step feeds it to
F.binary_cross_entropy (through torch.clamp) instead of the logits-aware loss."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

EPS = 1e-7


class PairScorer(nn.Module):
    def __init__(self, dim: int = 16, hidden: int = 32) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh())
        self.score = nn.Linear(2 * hidden, 1)

    def forward(self, left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        a, b = self.encoder(left), self.encoder(right)
        return self.score(torch.cat([a * b, (a - b).abs()], dim=1)).squeeze(1)


def train_step(model, optimizer, left, right, same):
    optimizer.zero_grad()
    out = model(left, right)
    loss = F.binary_cross_entropy(torch.clamp(out, EPS, 1 - EPS), same)
    loss.backward()
    optimizer.step()
    return loss.item()


def main():
    torch.manual_seed(0)
    left, right = torch.randn(256, 16), torch.randn(256, 16)
    same = torch.randint(0, 2, (256,)).float()
    loader = DataLoader(TensorDataset(left, right, same), batch_size=32, shuffle=True)
    model = PairScorer()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(2):
        model.train()
        losses = [train_step(model, optimizer, l, r, s) for l, r, s in loader]
        print(epoch, sum(losses) / max(len(losses), 1))


if __name__ == "__main__":
    main()
