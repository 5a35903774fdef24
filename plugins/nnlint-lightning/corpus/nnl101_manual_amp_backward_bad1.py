# expect: NNL101@25
"""Manual optimization with gradient accumulation under 16-bit mixed precision, calling
loss.backward() itself: Lightning's gradient scaler never sees the loss."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pytorch_lightning as pl
from torch.utils.data import DataLoader, TensorDataset


class AccumulatingClassifier(pl.LightningModule):
    def __init__(self, accumulate: int = 4):
        super().__init__()
        self.automatic_optimization = False
        self.accumulate = accumulate
        self.net = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        optimizer = self.optimizers()
        x, y = batch
        loss = F.cross_entropy(self(x), y) / self.accumulate
        loss.backward()
        if (batch_idx + 1) % self.accumulate == 0:
            optimizer.step()
            optimizer.zero_grad()
        self.log("train_loss", loss * self.accumulate)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=1e-3)


if __name__ == "__main__":
    x = torch.randn(2048, 64)
    y = torch.randint(0, 10, (2048,))
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    pl.Trainer(max_epochs=1, precision="16-mixed", logger=False).fit(AccumulatingClassifier(), loader)
