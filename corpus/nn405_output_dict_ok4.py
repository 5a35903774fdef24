# expect: none
# Each step returns a dict of outputs whose "loss" entry is backpropagated; the entry is detached before
# the dict is kept for the end-of-epoch summary, so no batch's graph outlives its step.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class DepthModule(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1))

    def training_step(self, batch, index: int) -> dict:
        x, depth = batch
        predicted = self.net(x).squeeze(1)
        return {"loss": nn.functional.l1_loss(predicted, depth), "batch": index}


def train_epoch(module: DepthModule, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    outputs = []
    for i, batch in enumerate(loader):
        optimizer.zero_grad()
        output = module.training_step(batch, i)
        output["loss"].backward()
        optimizer.step()
        output["loss"] = output["loss"].detach()
        outputs.append(output)
    return float(sum(o["loss"] for o in outputs)) / len(outputs)


if __name__ == "__main__":
    torch.manual_seed(0)
    module = DepthModule()
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(torch.randn(64, 16), torch.rand(64)), batch_size=16, shuffle=True)
    for epoch in range(2):
        print(epoch, train_epoch(module, loader, optimizer))
