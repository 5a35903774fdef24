# expect: NN405@31
# The loss function returns the total and its two parts; the total is backpropagated, then added to the
# epoch sum as a tensor, so every iteration's graph stays alive until the epoch ends.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def detection_loss(class_scores, boxes, labels, targets):
    classification = nn.functional.cross_entropy(class_scores, labels)
    regression = nn.functional.mse_loss(boxes, targets)
    return classification + regression, classification, regression


if __name__ == "__main__":
    torch.manual_seed(0)
    backbone = nn.Sequential(nn.Linear(12, 32), nn.ReLU())
    classifier, regressor = nn.Linear(32, 3), nn.Linear(32, 4)
    params = list(backbone.parameters()) + list(classifier.parameters()) + list(regressor.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3)
    data = TensorDataset(torch.randn(64, 12), torch.randint(0, 3, (64,)), torch.randn(64, 4))
    loader = DataLoader(data, batch_size=16, shuffle=True)
    for epoch in range(2):
        running = 0.0
        for x, labels, targets in loader:
            optimizer.zero_grad()
            features = backbone(x)
            loss, ce, mse = detection_loss(classifier(features), regressor(features), labels, targets)
            loss.backward()
            optimizer.step()
            running += loss
        print(epoch, float(running) / len(loader))
