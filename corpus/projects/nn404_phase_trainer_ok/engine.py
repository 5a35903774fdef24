# expect: none
"""One epoch of training or of evaluation, shared by the phases of the schedule in train.py."""
import torch


def run_epoch(model, loader, criterion, optimizer=None):
    training = optimizer is not None
    model.train(training)
    total, count = 0.0, 0
    with torch.set_grad_enabled(training):
        for inputs, labels in loader:
            loss = criterion(model(inputs), labels)
            if training:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(labels)
            count += len(labels)
    return total / count


def train(model, loader, criterion, optimizer):
    return run_epoch(model, loader, criterion, optimizer)


def test(model, loader, criterion):
    return run_epoch(model, loader, criterion)
