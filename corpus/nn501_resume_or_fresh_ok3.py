# expect: none
# expect-dynamic: no-step
# Training that can resume: the classifier is either rebuilt from a checkpoint or built fresh. Both
# are new modules, so both start in training mode; the model is switched to evaluation mode for the
# per-epoch validation and back to training mode for the next epoch.
import torch
import torch.nn as nn


class Classifier(nn.Module):
    def __init__(self, n_features=32, n_classes=4):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3))
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


def load_checkpoint(path):
    model = Classifier()
    model.load_state_dict(torch.load(path)["model"])
    return model


def main(args, train_loader, val_loader):
    if args.resume:
        model = load_checkpoint(args.checkpoint)
    else:
        model = Classifier()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in val_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        print(epoch, correct)
