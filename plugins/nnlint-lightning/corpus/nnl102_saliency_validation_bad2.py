# expect: NNL102@32
"""Image classifier that computes input-gradient saliency during validation and keeps the maps."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pytorch_lightning as pl
from torch.utils.data import DataLoader, TensorDataset


class SmallCNN(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(8, 10)
        self.saliency = []

    def forward(self, x):
        return self.classifier(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        return F.cross_entropy(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        with torch.enable_grad():
            x = x.clone().requires_grad_(True)
            logits = self(x)
            picked = logits.gather(1, y[:, None]).sum()
            (grad,) = torch.autograd.grad(picked, x, create_graph=True)
            saliency = grad.abs().amax(dim=1)
            self.saliency.append(logits.softmax(dim=1))
        self.log("val_acc", (logits.argmax(dim=1) == y).float().mean())
        return saliency

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


if __name__ == "__main__":
    images = torch.randn(256, 1, 28, 28)
    labels = torch.randint(0, 10, (256,))
    train_loader = DataLoader(TensorDataset(images, labels), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(images, labels), batch_size=32)
    pl.Trainer(max_epochs=1, logger=False).fit(SmallCNN(), train_loader, val_loader)
