# expect: none
"""A trainer runs its model through one helper, _forward_pass(), for both training and validation:
validate() switches the model to eval mode and back to training mode when it is done."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SegmentationNet(nn.Module):
    def __init__(self, channels: int = 4, classes: int = 3) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(), nn.Dropout2d(0.3))
        self.decoder = nn.Conv2d(16, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class Trainer:
    def __init__(self, model: nn.Module, loaders: dict, epochs: int) -> None:
        self.model = model
        self.loaders = loaders
        self.epochs = epochs
        self.loss_criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def fit(self) -> None:
        for epoch in range(self.epochs):
            train_loss = self.train(self.loaders["train"])
            val_loss = self.validate(self.loaders["val"])
            print(f"epoch {epoch}: train {train_loss:.4f} val {val_loss:.4f}")

    def train(self, loader: DataLoader) -> float:
        total = 0.0
        for batch in loader:
            images, masks = self._split_batch(batch)
            output, loss = self._forward_pass(images, masks)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(loader)

    def validate(self, loader: DataLoader) -> float:
        self.model.eval()
        total = 0.0
        with torch.no_grad():
            for batch in loader:
                images, masks = self._split_batch(batch)
                output, loss = self._forward_pass(images, masks)
                total += loss.item()
        self.model.train()
        return total / len(loader)

    def _split_batch(self, batch):
        images, masks = batch
        return images.float(), masks.long()

    def _forward_pass(self, images: torch.Tensor, masks: torch.Tensor):
        output = self.model(images)
        loss = self.loss_criterion(output, masks)
        return output, loss


def main() -> None:
    torch.manual_seed(0)
    train = TensorDataset(torch.randn(32, 4, 8, 8), torch.randint(0, 3, (32, 8, 8)))
    val = TensorDataset(torch.randn(16, 4, 8, 8), torch.randint(0, 3, (16, 8, 8)))
    loaders = {"train": DataLoader(train, batch_size=8, shuffle=True), "val": DataLoader(val, batch_size=8)}
    Trainer(SegmentationNet(), loaders, epochs=2).fit()


if __name__ == "__main__":
    main()
