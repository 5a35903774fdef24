# expect: NN501@25
"""A small segmentation net with BatchNorm; after each epoch eval_net scores the validation masks with the
project's Dice helper (another file), with no loss, no argmax and no no_grad written here, and never puts
the net in eval mode: BatchNorm normalises each validation batch with its own statistics."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from metrics import dice_coeff


class SegNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def eval_net(net: nn.Module, loader: DataLoader) -> float:
    total = 0.0
    for img, mask in loader:
        pred = (torch.sigmoid(net(img)) > 0.5).float()
        total += dice_coeff(pred, mask).item()
    return total / len(loader)


def main() -> None:
    torch.manual_seed(0)
    images = torch.randn(24, 3, 16, 16)
    masks = (images.mean(dim=1, keepdim=True) > 0).float()
    train_loader = DataLoader(TensorDataset(images[:16], masks[:16]), batch_size=4, shuffle=True)
    val_loader = DataLoader(TensorDataset(images[16:], masks[16:]), batch_size=4)
    net = SegNet()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    for epoch in range(2):
        net.train()
        for img, mask in train_loader:
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(net(img), mask)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: val dice {eval_net(net, val_loader):.3f}")


if __name__ == "__main__":
    main()
