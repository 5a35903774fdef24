# expect: none
"""Builds the network from its config and trains it a few steps."""
import torch

import heads  # noqa: F401  (registers the heads)
import segmenter  # noqa: F401  (registers the network)
from registry import NETS, build_from_cfg

CONFIG = dict(
    type="Segmenter",
    head=dict(type="SegHead", channels=8, classes=3, presence=dict(type="PresenceHead", channels=8, lanes=2)),
)

if __name__ == "__main__":
    torch.manual_seed(0)
    model = build_from_cfg(CONFIG, NETS)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    model.train()
    for step in range(3):
        batch = {
            "image": torch.randn(2, 3, 8, 8),
            "mask": torch.randint(0, 3, (2, 8, 8)),
            "present": torch.randint(0, 2, (2, 2)).float(),
        }
        optimizer.zero_grad()
        loss = model(batch)
        loss.backward()
        optimizer.step()
