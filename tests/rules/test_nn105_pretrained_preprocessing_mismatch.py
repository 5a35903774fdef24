"""NN105: pretrained weights with pipelines that lack or change Normalize; look-alikes stay silent."""

from __future__ import annotations

from tests.conftest import codes, lint_text


def nn105(source: str):
    return codes(lint_text(source, select=["NN105"]))


def test_get_model_with_list_bound_pipeline() -> None:
    source = """
import torchvision
from torchvision.transforms import v2

steps = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
tf = v2.Compose(steps)
model = torchvision.models.get_model("resnet50", weights="DEFAULT")
"""
    assert nn105(source) == ["NN105"]


def test_other_statistics_with_torchvision_weights() -> None:
    source = """
from torchvision import models, transforms
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.247, 0.243, 0.261)
model = models.efficientnet_b0(weights=models.EfficientNet_B0_Weights.DEFAULT)
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize(CIFAR_MEAN, CIFAR_STD)])
"""
    assert nn105(source) == ["NN105"]


def test_timm_vit_only_checks_for_a_missing_normalize() -> None:
    half = """
import timm
from torchvision import transforms as T
model = timm.create_model("vit_base_patch16_224.augreg_in21k", pretrained=True)
tf = T.Compose([T.ToTensor(), T.Normalize([0.5] * 3, [0.5] * 3)])
"""
    missing = """
import timm
from torchvision import transforms as T
model = timm.create_model("vit_base_patch16_224", pretrained=True)
tf = T.Compose([T.Resize(224), T.ToTensor()])
"""
    assert nn105(half) == []
    assert nn105(missing) == ["NN105"]


def test_silent_look_alikes() -> None:
    source = """
import torch
from torchvision import transforms
from torchvision.models import resnet18
from torchvision.models.detection import fasterrcnn_resnet50_fpn

scratch = resnet18(weights=None)
flag = resnet18(pretrained=False)
detector = fasterrcnn_resnet50_fpn(weights="DEFAULT")
to_tensor = transforms.Compose([transforms.ToTensor()])
pil_only = transforms.Compose([transforms.RandomCrop(32), transforms.RandomHorizontalFlip()])
"""
    assert nn105(source) == []


def test_normalisation_applied_elsewhere_or_inverted() -> None:
    source = """
import torch
from torchvision import transforms
from torchvision.models import resnet18

model = resnet18(weights="IMAGENET1K_V1")
tf = transforms.Compose([transforms.ToTensor()])
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
def prepare(x):
    return (x - mean) / std
unnormalize = transforms.Normalize(
    mean=[-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225], std=[1 / 0.229, 1 / 0.224, 1 / 0.225]
)
"""
    assert nn105(source) == []


def test_gan_pipeline_with_a_perceptual_loss_that_renormalises() -> None:
    source = """
import torch
from torch import nn
from torchvision import models, transforms

class PerceptualLoss(nn.Module):
    def __init__(self):
        super().__init__()
        self.vgg = models.vgg16(weights=models.VGG16_Weights.DEFAULT).features[:16]
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
    def forward(self, fake, real):
        fake = ((fake + 1) / 2 - self.mean) / self.std
        real = ((real + 1) / 2 - self.mean) / self.std
        return nn.functional.l1_loss(self.vgg(fake), self.vgg(real))

tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
"""
    assert nn105(source) == []


def test_get_model_with_a_bytes_name_stays_silent() -> None:
    # found by mypy: the name's evaluated value was concatenated to a str, so a bytes literal raised TypeError (NN002)
    source = """
import torchvision
from torchvision import transforms

model = torchvision.models.get_model(b"resnet50", weights="DEFAULT")
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
"""
    assert nn105(source) == []
