# expect: none
# expect-dynamic: NN201
"""Training script in a subfolder: it puts the repository's root on sys.path and imports the top-level
helpers and models."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from helpers import evaluate, train_epoch  # noqa: E402
from models import GestureNet  # noqa: E402

if __name__ == "__main__":
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(96, 18), torch.randint(0, 4, (96,)))
    train_loader = DataLoader(data, batch_size=16, shuffle=True)
    val_loader = DataLoader(data, batch_size=32)
    model = GestureNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        print(epoch, train_epoch(model, train_loader, optimizer, criterion), evaluate(model, val_loader, criterion))
