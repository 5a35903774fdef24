# expect: NNL104@34
"""An experiment script that seeds everything for reproducible A/B runs but leaves cuDNN free."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from pytorch_lightning import LightningModule, Trainer, seed_everything
from torch.utils.data import DataLoader, TensorDataset


class ConvNet(LightningModule):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9, nesterov=True)


def run(seed: int) -> None:
    seed_everything(seed, workers=True)
    images = torch.randn(256, 3, 32, 32)
    labels = torch.randint(0, 10, (256,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=32, shuffle=True, num_workers=0)
    trainer = Trainer(max_epochs=1, accelerator="auto", benchmark=True, logger=False)
    trainer.fit(ConvNet(), loader)


if __name__ == "__main__":
    run(1234)
