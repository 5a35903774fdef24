# expect: none
# expect-dynamic: no-step
"""Evaluation script in the same subfolder: it builds the network again (a checkpoint would be loaded
here) and scores it with the shared helper."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from helpers import evaluate  # noqa: E402
from models import GestureNet  # noqa: E402

if __name__ == "__main__":
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(32, 18), torch.randint(0, 4, (32,)))
    model = GestureNet()
    print(evaluate(model, DataLoader(data, batch_size=16), nn.CrossEntropyLoss()))
