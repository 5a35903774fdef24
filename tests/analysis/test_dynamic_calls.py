"""A network built by name (``getattr(importlib.import_module(m), name)(criterion=c)``) gets the arguments
of that call: ``self.criterion`` of each project class the call can build holds what the factory's
callers pass, through the items of the tuple ``get_loss`` returns and the branch of it that a
configuration picks."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict

import libcst as cst
import pytest

from nnlint.analysis.dynamic_calls import accepts, dynamic_calls
from nnlint.analysis.model import SemanticModel
from tests.analysis.test_cross_file_bindings import lint_tree

FACTORY = """
    import importlib

    def build_network(arch, num_classes, criterion):
        module_name, _, class_name = arch.rpartition(".")
        module = importlib.import_module(module_name)
        network_class = getattr(module, class_name)
        return network_class(num_classes=num_classes, criterion=criterion)

    def get_network(args, criterion):
        return build_network(args.arch, args.num_classes, criterion)
"""

EDGENET = """
    import torch
    from torch import nn

    class EdgeSegNet(nn.Module):
        def __init__(self, num_classes, criterion=None):
            super().__init__()
            self.criterion = criterion
            self.seg_head = nn.Conv2d(3, num_classes, 1)
            self.edge_head = nn.Conv2d(3, 1, 1)
            self.squash = nn.Sigmoid()

        def forward(self, images, targets=None):
            seg_out = self.seg_head(images)
            edge_out = self.squash(self.edge_head(images))
            if self.training:
                return self.criterion((seg_out, edge_out), targets)
            return seg_out, edge_out
"""

LOSSES = """
    import torch.nn.functional as F
    from torch import nn

    class SegEdgeLoss(nn.Module):
        def forward(self, inputs, targets):
            seg_in, edge_in = inputs
            seg_target, edge_target = targets
            return F.cross_entropy(seg_in, seg_target) + F.binary_cross_entropy_with_logits(edge_in, edge_target)

    class SegOnlyLoss(nn.Module):
        def forward(self, inputs, targets):
            seg_in, _ = inputs
            seg_target, _ = targets
            return F.cross_entropy(seg_in, seg_target)

    def get_loss(args):
        if args.edge_loss:
            criterion = SegEdgeLoss()
        else:
            criterion = SegOnlyLoss()
        return criterion, SegOnlyLoss()
"""

TRAIN = """
    import torch
    import losses
    import networks

    def main(args, loader):
        criterion, criterion_val = losses.get_loss(args)
        net = networks.get_network(args, criterion)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
        net.train()
        for images, targets in loader:
            optimizer.zero_grad()
            net(images, targets).backward()
            optimizer.step()
"""


def project(factory: str = FACTORY, edgenet: str = EDGENET, losses: str = LOSSES) -> Dict[str, str]:
    return {"networks/__init__.py": factory, "networks/edgenet.py": edgenet, "losses.py": losses, "train.py": TRAIN}


def test_the_loss_given_to_a_network_built_by_name_reaches_its_self_criterion(tmp_path: Path) -> None:
    assert lint_tree(tmp_path, project(), ["NN301"]) == [("edgenet.py", 16, 20, "NN301")]


def test_edge_logits_given_to_that_loss_are_fine(tmp_path: Path) -> None:
    clean = EDGENET.replace(
        "edge_out = self.squash(self.edge_head(images))", "edge_out = self.edge_head(images)"
    ).replace("return seg_out, edge_out", "return seg_out, self.squash(edge_out)")
    assert lint_tree(tmp_path, project(edgenet=clean), ["NN301"]) == []


def test_a_class_whose_signature_does_not_take_the_call_is_not_built_there(tmp_path: Path) -> None:
    # a required `depth` the call never passes: the call cannot build this class
    other = EDGENET.replace(
        "def __init__(self, num_classes, criterion=None):", "def __init__(self, num_classes, depth, criterion=None):"
    )
    assert lint_tree(tmp_path, project(edgenet=other), ["NN301"]) == []


def test_a_literal_module_prefix_keeps_to_its_modules(tmp_path: Path) -> None:
    elsewhere = FACTORY.replace(
        "importlib.import_module(module_name)", 'importlib.import_module("heads." + class_name)'
    )
    assert lint_tree(tmp_path, project(factory=elsewhere), ["NN301"]) == []
    under = FACTORY.replace("importlib.import_module(module_name)", 'importlib.import_module("networks." + class_name)')
    assert lint_tree(tmp_path / "under", project(factory=under), ["NN301"]) == [("edgenet.py", 16, 20, "NN301")]


@pytest.mark.parametrize(
    "module, reported",
    [
        ('f"networks.{class_name.lower()}"', True),
        ('"networks.edgenet"', True),
        ('"networks"', True),  # the package: its submodules' classes may be imported into it
        ('"networks.unet"', False),
        ('f"heads.{class_name}"', False),
    ],
)
def test_the_modules_a_literal_name_reaches(tmp_path: Path, module: str, reported: bool) -> None:
    factory = FACTORY.replace("importlib.import_module(module_name)", f"importlib.import_module({module})")
    expected = [("edgenet.py", 16, 20, "NN301")] if reported else []
    assert lint_tree(tmp_path, project(factory=factory), ["NN301"]) == expected


def test_dunder_import_without_fromlist_returns_the_top_package(tmp_path: Path) -> None:
    top = FACTORY.replace("importlib.import_module(module_name)", '__import__("heads.edgenet")')
    assert lint_tree(tmp_path / "top", project(factory=top), ["NN301"]) == []
    both = FACTORY.replace("importlib.import_module(module_name)", '__import__("networks.edgenet", fromlist=["x"])')
    assert lint_tree(tmp_path / "sub", project(factory=both), ["NN301"]) == [("edgenet.py", 16, 20, "NN301")]


GUARDED_EDGENET = """
    import torch
    from torch import nn

    class EdgeSegNet(nn.Module):
        def __init__(self, num_classes, criterion=None, method="binary"):
            super().__init__()
            self.criterion = criterion
            self.method = method
            self.seg_head = nn.Conv2d(3, num_classes, 1)
            self.edge_head = nn.Conv2d(3, 1, 1)

        def edge(self, images):
            if self.method == "binary":
                return torch.sigmoid(self.edge_head(images))
            return self.edge_head(images)

        def forward(self, images, targets=None):
            seg_out = self.seg_head(images)
            edge_out = self.edge(images)
            if self.training:
                return self.criterion((seg_out, edge_out), targets)
            return seg_out, edge_out
"""


def test_a_sigmoid_of_one_configuration_against_a_loss_of_another_is_not_reported(tmp_path: Path) -> None:
    # which loss get_loss picks and whether the network squashes are two choices nothing ties together
    assert lint_tree(tmp_path / "guarded", project(edgenet=GUARDED_EDGENET), ["NN301"]) == []
    # the same network given that loss on every configuration: its binary branch feeds the loss a sigmoid
    one_loss = LOSSES.replace("if args.edge_loss:", "if True:").replace(
        "else:\n            criterion = SegOnlyLoss()", ""
    )
    assert "criterion = SegOnlyLoss()" not in one_loss
    findings = lint_tree(tmp_path / "one", project(edgenet=GUARDED_EDGENET, losses=one_loss), ["NN301"])
    assert findings == [("edgenet.py", 21, 20, "NN301")]


def _model(text: str) -> SemanticModel:
    return SemanticModel(cst.parse_module(textwrap.dedent(text)))


def test_a_signature_takes_a_call_by_its_keywords_not_by_a_bare_kwargs() -> None:
    model = _model(
        """
        import importlib
        build = getattr(importlib.import_module(name), cls)
        a = build(num_classes=3, criterion=c)
        b = build(3, 4, 5)
        def by_name(num_classes, criterion=None, **extra): ...
        def only_kwargs(**options): ...
        def needs_more(num_classes, depth, criterion=None): ...
        def positional(num_classes, criterion): ...
        """
    )
    calls = [dynamic.call.node for dynamic in dynamic_calls(model)]
    assert len(calls) == 1  # `build(3, 4, 5)`: no keyword and no literal module: no evidence of what it builds
    functions = {func.name: func for func in model.functions}
    assert accepts(functions["by_name"], calls[0])
    assert accepts(functions["positional"], calls[0])
    assert not accepts(functions["only_kwargs"], calls[0])
    assert not accepts(functions["needs_more"], calls[0])


def test_a_name_unpacked_from_a_user_functions_tuple_holds_that_item() -> None:
    model = _model(
        """
        import torch.nn as nn

        def build(args):
            if args.big:
                return nn.Linear(8, 2), nn.CrossEntropyLoss()
            return nn.Linear(4, 2), nn.CrossEntropyLoss()

        net, criterion = build(args)
        first, *rest = build(args)
        """
    )
    names = {n.value: n for n in model.descendants(model.module, cst.Name) if isinstance(n, cst.Name)}
    criterion = model.object_of(names["criterion"], model.module_scope)
    assert (criterion.kind, criterion.qualname) == ("loss", "torch.nn.CrossEntropyLoss")
    net = model.object_of(names["net"], model.module_scope)
    assert (net.kind, net.qualname) == ("layer", "torch.nn.Linear")
    assert model.object_of(names["rest"], model.module_scope).kind == "unknown"
