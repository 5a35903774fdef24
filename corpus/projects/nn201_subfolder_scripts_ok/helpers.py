# expect: none
"""Training and evaluation helpers at the repository's top level; the scripts in experiments/ import them
(run from the root, with the root on sys.path). Both share forward_step, which only sees the model and
the loss through its parameters."""
import torch


def forward_step(model, x, y, criterion):
    """One batch: the model's output, its loss and the number of right answers."""
    scores = model(x)
    loss = criterion(scores, y)
    correct = (scores.argmax(dim=1) == y).sum().item()
    return loss, correct


def train_epoch(model, loader, optimizer, criterion) -> float:
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss, _ = forward_step(model, x, y, criterion)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def evaluate(model, loader, criterion) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            _, right = forward_step(model, x, y, criterion)
            correct += right
    return correct / len(loader.dataset)


def evaluate_windows(model, windows, criterion) -> float:
    """Scores a list of (x, y) windows; no script of this project calls it yet."""
    model.eval()
    with torch.no_grad():
        return sum(forward_step(model, x, y, criterion)[1] for x, y in windows) / max(len(windows), 1)
