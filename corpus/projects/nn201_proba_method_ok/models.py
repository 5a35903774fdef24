# expect: none
"""A classifier that returns logits from forward and offers probabilities through predict_proba."""
import torch
import torch.nn.functional as F
from torch import nn


class TabularClassifier(nn.Module):
    def __init__(self, num_features: int, num_classes: int) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(num_features, 32), nn.ReLU(), nn.Dropout(0.1))
        self.classifier = nn.Linear(32, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.backbone(x))

    @torch.no_grad()
    def predict_proba(self, x: torch.Tensor) -> torch.Tensor:
        return F.softmax(self(x), dim=-1)
