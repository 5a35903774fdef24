# expect: none
"""Fine-tuning with discriminative learning rates: every trained module is in a parameter group,
and the frozen embedding says so explicitly."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pytorch_lightning as pl
from torch.utils.data import DataLoader, TensorDataset


class FineTuner(pl.LightningModule):
    def __init__(self, lr: float = 3e-4):
        super().__init__()
        self.lr = lr
        self.embedding = nn.Embedding(100, 32)
        self.embedding.weight.requires_grad_(False)
        self.encoder = nn.Sequential(nn.Linear(32, 128), nn.GELU(), nn.Linear(128, 64))
        self.classifier = nn.Linear(64, 5)

    def forward(self, tokens):
        return self.classifier(self.encoder(self.embedding(tokens).mean(dim=1)))

    def training_step(self, batch, batch_idx):
        tokens, y = batch
        loss = F.cross_entropy(self(tokens), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        groups = [
            {"params": self.encoder.parameters(), "lr": self.lr / 10},
            {"params": self.classifier.parameters(), "lr": self.lr},
        ]
        return torch.optim.AdamW(groups, weight_decay=0.01)


if __name__ == "__main__":
    tokens = torch.randint(0, 100, (640, 12))
    y = torch.randint(0, 5, (640,))
    loader = DataLoader(TensorDataset(tokens, y), batch_size=64, shuffle=True)
    pl.Trainer(max_epochs=2, logger=False).fit(FineTuner(), loader)
