# expect: none
# requires: segmentation_models_pytorch
"""A BCE + Dice loss applies the sigmoid once, to the U-Net's logits, and computes both terms on the
probabilities."""
import segmentation_models_pytorch as smp
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class BceDiceLoss(nn.Module):
    def __init__(self, smooth: float = 1.0) -> None:
        super().__init__()
        self.smooth = smooth

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        probabilities = torch.sigmoid(input)
        bce = nn.functional.binary_cross_entropy(probabilities, target)
        flat_input = probabilities.view(-1)
        flat_target = target.view(-1)
        intersection = (flat_input * flat_target).sum()
        dice = 1 - (2.0 * intersection + self.smooth) / (flat_input.sum() + flat_target.sum() + self.smooth)
        return bce + dice


def main() -> None:
    torch.manual_seed(0)
    images = torch.randn(16, 3, 32, 32)
    masks = (torch.rand(16, 1, 32, 32) > 0.5).float()
    loader = DataLoader(TensorDataset(images, masks), batch_size=4, shuffle=True)
    model = smp.Unet("resnet18", encoder_weights=None, classes=1, activation=None)
    criterion = BceDiceLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        for batch, mask in loader:
            optimizer.zero_grad()
            loss = criterion(model(batch), mask)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
