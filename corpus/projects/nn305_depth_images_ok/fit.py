# expect: none
"""The training routine: the depth predicted by network.DepthNet, (N, 1, H, W), against the depth maps of
scenes.RGBDScenes, which keep their channel axis: (N, 1, H, W) too, one target value per predicted pixel."""
import tempfile

import torch
from torch.nn import functional as F
from torch.utils.data import DataLoader

from network import DepthNet
from scenes import RGBDScenes, write_scenes


class DepthTrainer:
    def __init__(self, model: DepthNet, loader: DataLoader, lr: float = 1e-3) -> None:
        self.model = model
        self.loader = loader
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def train_epoch(self) -> float:
        self.model.train()
        total = 0.0
        for photo, depth in self.loader:
            self.optimizer.zero_grad()
            _, predicted = self.model(photo)
            loss = F.smooth_l1_loss(predicted, depth)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(self.loader)


if __name__ == "__main__":
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as root:
        write_scenes(root)
        loader = DataLoader(RGBDScenes(root), batch_size=4, shuffle=True)
        trainer = DepthTrainer(DepthNet(), loader)
        for epoch in range(3):
            print(f"epoch {epoch}: depth loss {trainer.train_epoch():.4f}")
