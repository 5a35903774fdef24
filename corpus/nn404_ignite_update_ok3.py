# expect: none
# requires: ignite
"""An ignite trainer whose update function steps the scheduler after the optimizer."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from ignite.engine import Engine, Events
from ignite.metrics import Accuracy, Loss


class Classifier(nn.Module):
    def __init__(self, features: int = 20, classes: int = 4) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(features, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def run(epochs: int = 3) -> None:
    torch.manual_seed(0)
    train_set = TensorDataset(torch.randn(256, 20), torch.randint(0, 4, (256,)))
    val_set = TensorDataset(torch.randn(64, 20), torch.randint(0, 4, (64,)))
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=64)

    model = Classifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=epochs * len(train_loader))

    def train_step(engine: Engine, batch) -> float:
        model.train()
        x, y = batch
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss.item()

    def evaluate_step(engine: Engine, batch):
        model.eval()
        x, y = batch
        with torch.no_grad():
            return model(x), y

    trainer = Engine(train_step)
    evaluator = Engine(evaluate_step)
    Accuracy().attach(evaluator, "accuracy")
    Loss(criterion).attach(evaluator, "loss")

    @trainer.on(Events.EPOCH_COMPLETED)
    def log_validation(engine: Engine) -> None:
        metrics = evaluator.run(val_loader).metrics
        print(f"epoch {engine.state.epoch}: val accuracy {metrics['accuracy']:.3f} loss {metrics['loss']:.4f}")

    trainer.run(train_loader, max_epochs=epochs)


if __name__ == "__main__":
    run()
