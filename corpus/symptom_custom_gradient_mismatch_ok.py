# expect: none
"""Custom autograd Functions done right: Swish with the product rule, a gradient-reversal layer (identity
forward, negated backward: deliberate) and a straight-through rounding (constant forward: deliberate)."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SwishFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_output * (s + x * s * (1 - s))


class GradientReversal(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        return -0.1 * grad_output


class RoundStraightThrough(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        return torch.round(x * 4) / 4

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        return grad_output


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(10, 32)
        self.head = nn.Linear(32, 3)
        self.domain = nn.Linear(32, 2)

    def forward(self, x: torch.Tensor):
        h = RoundStraightThrough.apply(SwishFunction.apply(self.encoder(x)))
        return self.head(h), self.domain(GradientReversal.apply(h))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(512, 10, generator=generator)
    y = torch.randint(0, 3, (512,), generator=generator)
    d = torch.randint(0, 2, (512,), generator=generator)
    loader = DataLoader(TensorDataset(x, y, d), batch_size=32, shuffle=True)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for xb, yb, db in loader:
            optimizer.zero_grad()
            label_logits, domain_logits = model(xb)
            loss = criterion(label_logits, yb) + criterion(domain_logits, db)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
