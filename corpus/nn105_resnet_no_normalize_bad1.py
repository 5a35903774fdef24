# expect: NN105@35
# requires: torchvision
"""Fine-tune an ImageNet ResNet-18 on a small image folder; the transform pipeline has no Normalize."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from torchvision.models import ResNet18_Weights, resnet18


def build_loaders(batch_size: int):
    train_tf = transforms.Compose([
        transforms.RandomResizedCrop(224),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
    ])
    val_tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()])
    train_set = datasets.FakeData(size=64, image_size=(3, 256, 256), num_classes=5, transform=train_tf)
    val_set = datasets.FakeData(size=32, image_size=(3, 256, 256), num_classes=5, transform=val_tf)
    return (
        DataLoader(train_set, batch_size=batch_size, shuffle=True),
        DataLoader(val_set, batch_size=batch_size),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()

    train_loader, val_loader = build_loaders(args.batch_size)
    model = resnet18(weights=ResNet18_Weights.IMAGENET1K_V1)
    model.fc = nn.Linear(model.fc.in_features, 5)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    for epoch in range(args.epochs):
        model.train()
        for images, target in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(images), target)
            loss.backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for images, target in val_loader:
                correct += (model(images).argmax(1) == target).sum().item()
        print(f"epoch {epoch}: val acc {correct / len(val_loader.dataset):.3f}")


if __name__ == "__main__":
    main()
