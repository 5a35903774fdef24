# expect: NN101@40
# requires: pytorch_lightning
# The training loader is handed to Trainer.fit without shuffle=True: Lightning trains on it in the
# order it was built, and the data set is sorted by label.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import pytorch_lightning as pl


class SpeciesClassifier(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
        self.loss = nn.CrossEntropyLoss()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss(self(x), y))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-2)


def sorted_by_label(n: int) -> TensorDataset:
    labels = torch.arange(3).repeat_interleave(n // 3)
    return TensorDataset(torch.randn(len(labels), 4) + labels[:, None].float(), labels)


if __name__ == "__main__":
    torch.manual_seed(0)
    train_data, val_data = sorted_by_label(90), sorted_by_label(30)
    train_loader = DataLoader(train_data, batch_size=15)
    val_loader = DataLoader(val_data, batch_size=15)
    trainer = pl.Trainer(max_epochs=2, logger=False, enable_checkpointing=False, enable_progress_bar=False)
    trainer.fit(SpeciesClassifier(), train_loader, val_loader)
