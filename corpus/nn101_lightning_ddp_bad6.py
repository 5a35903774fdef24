# expect: NN101@40
# requires: pytorch_lightning
# The trainer runs on two processes with a DDP strategy, but use_distributed_sampler=False stops Lightning
# from putting a shuffling DistributedSampler under the loader, which does not shuffle itself: every
# process reads the readings regime after regime, in the same order every epoch.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import pytorch_lightning as pl
from pytorch_lightning.strategies import DDPStrategy


class RegimeClassifier(pl.LightningModule):
    def __init__(self, features: int = 6, regimes: int = 4) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(features, 32), nn.Tanh(), nn.Linear(32, regimes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def training_step(self, batch, batch_idx):
        readings, regime = batch
        loss = nn.functional.cross_entropy(self(readings), regime)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.05, momentum=0.9)


def recorded_by_regime(per_regime: int) -> TensorDataset:
    """Sensor readings stored regime after regime, as the logger wrote them."""
    regime = torch.arange(4).repeat_interleave(per_regime)
    readings = torch.randn(len(regime), 6) + 2.0 * regime[:, None].float()
    return TensorDataset(readings, regime)


if __name__ == "__main__":
    pl.seed_everything(1)
    loader = DataLoader(recorded_by_regime(64), batch_size=32, num_workers=0)
    trainer = pl.Trainer(
        accelerator="cpu",
        devices=2,
        strategy=DDPStrategy(find_unused_parameters=False),
        use_distributed_sampler=False,
        max_epochs=3,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
    )
    trainer.fit(RegimeClassifier(), loader)
