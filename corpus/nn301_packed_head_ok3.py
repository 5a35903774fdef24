# expect: none
"""A detection head packs its raw outputs into one tensor (the sigmoid is left to the loss); the loss slices
the objectness and class logits back out and feeds them to BCEWithLogitsLoss."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class DetectionHead(nn.Module):
    def __init__(self, channels: int = 8, classes: int = 3) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1), nn.ReLU(), nn.Conv2d(channels, 5 + classes, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        raw = self.conv(images).permute(0, 2, 3, 1)
        box = raw[..., :4]
        objectness = raw[..., 4:5]
        scores = raw[..., 5:]
        return torch.cat([box, objectness, scores], dim=-1)


def detection_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    box_loss = nn.functional.smooth_l1_loss(pred[..., :4], target[..., :4])
    score_loss = nn.BCEWithLogitsLoss()(pred[..., 4:], target[..., 4:])
    return box_loss + score_loss


def main() -> None:
    torch.manual_seed(0)
    images = torch.randn(32, 3, 8, 8)
    targets = torch.cat([torch.randn(32, 8, 8, 4), torch.randint(0, 2, (32, 8, 8, 4)).float()], dim=-1)
    loader = DataLoader(TensorDataset(images, targets), batch_size=8, shuffle=True)
    model = DetectionHead()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        for batch, target in loader:
            optimizer.zero_grad()
            loss = detection_loss(model(batch), target)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
