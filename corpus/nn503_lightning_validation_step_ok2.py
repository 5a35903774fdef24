# expect: none
# requires: pytorch_lightning
"""Lightning autoencoder: validation_step and test_step compute metrics without no_grad, which
is correct because Lightning disables gradients around them."""
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class LitAutoEncoder(pl.LightningModule):
    def __init__(self, dim: int = 32, code: int = 4) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(dim, 16), nn.ReLU(), nn.Linear(16, code))
        self.decoder = nn.Sequential(nn.Linear(code, 16), nn.ReLU(), nn.Linear(16, dim))

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def training_step(self, batch, batch_idx):
        (x,) = batch
        loss = F.mse_loss(self(x), x)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        (x,) = batch
        self.log("val_loss", F.mse_loss(self(x), x))

    def test_step(self, batch, batch_idx):
        (x,) = batch
        self.log("test_loss", F.mse_loss(self(x), x))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


if __name__ == "__main__":
    torch.manual_seed(0)
    data = torch.randn(256, 32)
    trainer = pl.Trainer(max_epochs=1, accelerator="cpu", logger=False, enable_checkpointing=False)
    model = LitAutoEncoder()
    trainer.fit(
        model,
        DataLoader(TensorDataset(data[:192]), batch_size=32, shuffle=True),
        DataLoader(TensorDataset(data[192:]), batch_size=64),
    )
    trainer.test(model, DataLoader(TensorDataset(data[192:]), batch_size=64))
