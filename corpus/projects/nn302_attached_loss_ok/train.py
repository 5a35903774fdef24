# expect: none
"""Builds TopicClassifier (star-imported), attaches SGD and NLLLoss, trains two epochs."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from classifier import *

if __name__ == "__main__":
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(80, 30), torch.randint(0, 4, (80,))), batch_size=16, shuffle=True)
    model = TopicClassifier()
    model.attach(torch.optim.SGD(model.parameters(), lr=0.05), nn.NLLLoss())
    for epoch in range(2):
        print(epoch, model.run_epoch(loader))
