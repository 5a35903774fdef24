# expect: none
# A face-attribute classifier on a pretrained-style backbone: the dropout before the head is built
# in __init__, so it is registered and model.eval() turns it off.
import torch
from torch import nn


class AttributeClassifier(nn.Module):
    def __init__(self, n_attributes=8):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(16, n_attributes)

    def forward(self, images):
        x = torch.flatten(self.backbone(images), 1)
        x = self.dropout(x)
        return self.fc(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = AttributeClassifier()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images, labels = torch.randn(32, 3, 16, 16), torch.randint(0, 2, (32, 8)).float()
    for step in range(5):
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        print(((model(images) > 0).float() == labels).float().mean().item())
