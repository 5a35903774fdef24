# expect: none
# requires: torchvision
"""Fine-tune an ImageNet ResNet-18 with the ImageNet mean/std in both pipelines."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torchvision import datasets, models, transforms

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def main():
    normalize = transforms.Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD)
    train_tf = transforms.Compose([
        transforms.RandomResizedCrop(224),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        normalize,
    ])
    val_tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), normalize])
    train_loader = DataLoader(
        datasets.FakeData(64, (3, 256, 256), 5, transform=train_tf), batch_size=16, shuffle=True
    )
    val_loader = DataLoader(datasets.FakeData(32, (3, 256, 256), 5, transform=val_tf), batch_size=16)

    model = models.resnet18(weights=models.ResNet18_Weights.DEFAULT)
    model.fc = nn.Linear(model.fc.in_features, 5)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    for epoch in range(1):
        model.train()
        for images, target in train_loader:
            optimizer.zero_grad()
            criterion(model(images), target).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == t).sum().item() for x, t in val_loader)
        print(f"epoch {epoch}: val acc {correct / 32:.3f}")


if __name__ == "__main__":
    main()
