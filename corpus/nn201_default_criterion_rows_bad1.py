# expect: NN201@19
# Graph matching: a siamese GNN scores each node of one graph against every node of the other. The
# matching loss normalises the scores with softmax, then walks over the graphs of the batch and feeds
# each graph's probabilities to its criterion, a CrossEntropyLoss built by default in its signature.
import torch
from torch import nn


class MatchingLoss(nn.Module):
    def __init__(self, criterion=nn.CrossEntropyLoss(reduction="sum")):
        super().__init__()
        self.criterion = criterion

    def forward(self, raw_scores):
        scores = torch.softmax(raw_scores, -1)
        total, count = 0.0, 0
        for graph_scores in scores:
            n_nodes = graph_scores.shape[0]
            total = total + self.criterion(graph_scores, torch.arange(n_nodes))
            count += n_nodes
        return total / count


class Siamese(nn.Module):
    def __init__(self, features=8, hidden=32):
        super().__init__()
        self.embed = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, hidden))

    def forward(self, left, right):
        return self.embed(left) @ self.embed(right).transpose(1, 2)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = Siamese()
    loss_fn = MatchingLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    graphs = torch.randn(16, 10, 8)
    for step in range(10):
        noisy = graphs + 0.1 * torch.randn_like(graphs)
        optimizer.zero_grad()
        loss = loss_fn(model(graphs, noisy))
        loss.backward()
        optimizer.step()
    print(loss.item())
