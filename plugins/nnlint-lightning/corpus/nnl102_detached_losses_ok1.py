# expect: none
"""The same epoch-end average over detached losses; validation logs through self.log."""
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
        self.val_predictions = []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.mse_loss(self(x), y)
        self.step_losses.append(loss.detach())
        self.log("train_loss", loss)
        return loss

    def on_train_epoch_end(self):
        self.log("epoch_loss", torch.stack(self.step_losses).mean())
        self.step_losses.clear()

    def validation_step(self, batch, batch_idx):
        x, y = batch
        prediction = self(x)
        self.val_predictions.append(prediction)  # evaluation runs without gradients: no graph here
        self.log("val_loss", F.mse_loss(prediction, y))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


if __name__ == "__main__":
    x = torch.randn(1024, 16)
    y = x.sum(dim=1, keepdim=True)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    L.Trainer(max_epochs=3, logger=False).fit(Regressor(), loader, loader)
