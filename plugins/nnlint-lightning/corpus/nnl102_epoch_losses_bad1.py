# expect: NNL102@22
"""Regression model that collects every training loss for an epoch-end average, graphs and all."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset


class Regressor(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(16, 128), nn.Tanh(), nn.Linear(128, 1))
        self.step_losses = []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.step_losses.append(loss)
        return loss

    def on_train_epoch_end(self):
        epoch_loss = torch.stack(self.step_losses).mean()
        self.log("epoch_loss", epoch_loss)
        self.step_losses.clear()

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


if __name__ == "__main__":
    x = torch.randn(1024, 16)
    y = x.sum(dim=1, keepdim=True)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    L.Trainer(max_epochs=3, logger=False).fit(Regressor(), loader)
