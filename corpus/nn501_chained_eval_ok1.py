# expect: none
# expect-dynamic: no-step
# A smoke test of an exported detector: the model comes from a factory, switched to eval mode in the
# same expression (`build_detector(...).eval()`), and is scored on a few random images.
import torch
from torch import nn


class Detector(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.drop = nn.Dropout(0.1)
        self.classifier = nn.Linear(8, n_classes)

    def forward(self, images):
        pooled = self.features(images).mean(dim=(2, 3))
        return self.classifier(self.drop(pooled))


def build_detector(pretrained=False):
    model = Detector()
    if pretrained:
        model.load_state_dict(torch.load("detector.pt"))
    return model


def test_detector_predictions():
    model = build_detector(pretrained=False).eval()
    images = torch.rand(4, 3, 32, 32)
    with torch.no_grad():
        labels = model(images).argmax(dim=1)
    assert labels.shape == (4,)


if __name__ == "__main__":
    torch.manual_seed(0)
    test_detector_predictions()
    print("ok")
