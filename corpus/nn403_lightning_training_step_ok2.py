# expect: none
# requires: pytorch_lightning
"""A LightningModule: training_step returns the loss and Lightning runs backward, step and
zero_grad itself; validation_step needs no no_grad (Lightning disables gradients)."""
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class LitClassifier(pl.LightningModule):
    def __init__(self, in_features: int = 16, classes: int = 4, lr: float = 1e-3) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(in_features, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, classes))

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(dim=1) == y).float().mean())

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.9)
        return [optimizer], [scheduler]


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 16)
    y = torch.randint(0, 4, (256,))
    train_loader = DataLoader(TensorDataset(x[:192], y[:192]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[192:], y[192:]), batch_size=64)
    trainer = pl.Trainer(max_epochs=1, accelerator="cpu", logger=False, enable_checkpointing=False)
    trainer.fit(LitClassifier(), train_loader, val_loader)


if __name__ == "__main__":
    main()
