# expect: none
# expect-dynamic: NN201
"""Entry script: builds the data, the network and the loss, and hands them to engine.fit."""
import torch
from torch.utils.data import DataLoader, TensorDataset

import engine
import nets

if __name__ == "__main__":
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(96, 24), torch.randint(0, 3, (96,)))
    loader = DataLoader(data, batch_size=16, shuffle=True)
    criterion = torch.nn.CrossEntropyLoss().cpu()
    print(engine.fit(nets.SentimentNet(), loader, criterion))
