# expect: NN302@27
"""A topic classifier that trains itself: the script attaches the optimizer and the loss, run_epoch
uses them. Its forward ends in nn.Softmax, and the attached loss is NLLLoss (set in train.py)."""
import torch
from torch import nn


class TopicClassifier(nn.Module):
    def __init__(self, features: int = 30, topics: int = 4) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(features, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, topics))
        self.normalise = nn.Softmax(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.normalise(self.body(x))

    def attach(self, optimizer, loss_op) -> None:
        self.optimizer = optimizer
        self.loss_op = loss_op

    def run_epoch(self, batches) -> float:
        self.train()
        total = 0.0
        for x, y in batches:
            self.optimizer.zero_grad()
            predictions = self.__call__(x)
            loss = self.loss_op(predictions, y)
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / len(batches)
