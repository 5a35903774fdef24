# expect: none
# args: --edge-loss
"""Trains the network named by --arch with the loss picked by the flags; the network computes the loss
itself in training mode."""
import argparse

import torch
from torch.utils.data import DataLoader, TensorDataset

import losses
import networks


def train(loader, net, optimizer):
    net.train()
    for images, seg_target, edge_target in loader:
        optimizer.zero_grad()
        loss = net(images, (seg_target, edge_target))
        loss.backward()
        optimizer.step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="networks.edgenet.EdgeSegNet")
    parser.add_argument("--num-classes", type=int, default=4)
    parser.add_argument("--edge-loss", action="store_true")
    parser.add_argument("--edge-weight", type=float, default=1.0)
    args = parser.parse_args()
    criterion, criterion_val = losses.get_loss(args)
    net = networks.get_network(args, criterion)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
    images = torch.randn(8, 3, 16, 16)
    seg_target = torch.randint(0, args.num_classes, (8, 16, 16))
    edge_target = (torch.rand(8, 1, 16, 16) > 0.9).float()
    loader = DataLoader(TensorDataset(images, seg_target, edge_target), batch_size=4, shuffle=True)
    train(loader, net, optimizer)


if __name__ == "__main__":
    main()
