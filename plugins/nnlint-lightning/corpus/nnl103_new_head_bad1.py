# expect: NNL103@38
"""Fine-tuning: a projection head was added, but the optimizer still only sees the encoder."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pytorch_lightning as pl
from torch.utils.data import DataLoader, TensorDataset


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(32, 128), nn.GELU(), nn.Linear(128, 64))

    def forward(self, x):
        return self.layers(x)


class FineTuner(pl.LightningModule):
    def __init__(self, lr: float = 3e-4):
        super().__init__()
        self.lr = lr
        self.encoder = Encoder()
        self.projection = nn.Linear(64, 64)
        self.classifier = nn.Linear(64, 5)
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
        return self.classifier(self.dropout(F.relu(self.projection(self.encoder(x)))))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(
            [
                {"params": self.encoder.parameters(), "lr": self.lr / 10},
                {"params": self.classifier.parameters(), "lr": self.lr},
            ],
            weight_decay=0.01,
        )
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
        return [optimizer], [scheduler]


if __name__ == "__main__":
    x = torch.randn(640, 32)
    y = torch.randint(0, 5, (640,))
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    pl.Trainer(max_epochs=2, logger=False).fit(FineTuner(), loader)
