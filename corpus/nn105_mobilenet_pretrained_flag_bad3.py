# expect: NN105@14
# requires: torchvision
"""Transfer learning in the old `pretrained=True` style; the Compose only resizes and converts to tensors."""
import torch
import torch.nn.functional as F
import torchvision.models as models
import torchvision.transforms as T
from torch.utils.data import DataLoader
from torchvision.datasets import FakeData


class Finetuner:
    def __init__(self, num_classes: int):
        self.model = models.mobilenet_v2(pretrained=True)
        self.model.classifier[1] = torch.nn.Linear(self.model.last_channel, num_classes)
        for p in self.model.features.parameters():
            p.requires_grad = False
        self.optimizer = torch.optim.Adam(self.model.classifier.parameters(), lr=1e-3)

    def train_epoch(self, loader):
        self.model.train()
        for images, labels in loader:
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.model(images), labels)
            loss.backward()
            self.optimizer.step()

    def evaluate(self, loader):
        self.model.eval()
        hits = 0
        with torch.no_grad():
            for images, labels in loader:
                hits += (self.model(images).argmax(dim=1) == labels).sum().item()
        return hits / len(loader.dataset)


def main():
    preprocess = T.Compose([T.Resize(224), T.CenterCrop(224), T.ToTensor()])
    train_loader = DataLoader(FakeData(64, (3, 256, 256), 4, transform=preprocess), batch_size=16, shuffle=True)
    test_loader = DataLoader(FakeData(32, (3, 256, 256), 4, transform=preprocess), batch_size=16)
    tuner = Finetuner(num_classes=4)
    tuner.train_epoch(train_loader)
    print("test acc", tuner.evaluate(test_loader))


if __name__ == "__main__":
    main()
