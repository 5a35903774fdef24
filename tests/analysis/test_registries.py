"""mmcv-style registries: the classes registered in a registry (every decorator form, and the call
form), the calls that build from one (directly, through ``build_from_cfg`` and project builders that
pass the registry on), narrowed by a literal config's ``type``; a dict filled by ``update(...)`` with a
registry-built head's output; a registered class's loss method fed the output of the same object."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

import libcst as cst

from nnlint.analysis import registries
from nnlint.analysis.project import ProjectIndex
from tests.analysis.test_cross_file_bindings import lint_tree

REGISTRY = """
    class Registry:
        def __init__(self, name):
            self._classes = {}

        def register_module(self, cls=None, name=None, module=None):
            return cls

        def get(self, key):
            return self._classes.get(key)


    def build_from_cfg(cfg, registry, default_args=None):
        args = cfg.copy()
        obj_type = args.pop("type")
        if isinstance(obj_type, str):
            obj_cls = registry.get(obj_type)
        else:
            obj_cls = obj_type
        return obj_cls(**args)
"""

BUILDERS = """
    import torch.nn as nn
    from lanes.utils import Registry, build_from_cfg

    HEADS = Registry("heads")
    NETS = Registry("nets")


    def build(cfg, registry, default_args=None):
        if isinstance(cfg, list):
            return nn.Sequential(*[build_from_cfg(c, registry, default_args) for c in cfg])
        return build_from_cfg(cfg, registry, default_args)


    def build_head(split_cfg, cfg):
        return build(split_cfg, HEADS, default_args=dict(cfg=cfg))


    def build_heads(cfg):
        return build(cfg.heads, HEADS, default_args=dict(cfg=cfg))
"""

EXIST_HEAD = """
    import torch
    from torch import nn

    from ..registry import HEADS


    @HEADS.register_module
    class ExistHead(nn.Module):
        def __init__(self, cfg=None):
            super().__init__()
            self.fc = nn.Linear(16, 4)

        def forward(self, x):
            x = self.fc(x)
            x = torch.sigmoid(x)
            output = {"exist": x}
            return output
"""

LANE_SEG = """
    import torch
    from torch import nn
    import torch.nn.functional as F

    from ..registry import HEADS, build_head


    @HEADS.register_module
    class LaneSeg(nn.Module):
        def __init__(self, decoder, exist=None, cfg=None):
            super().__init__()
            self.decoder = build_head(decoder, cfg)
            self.exist = build_head(exist, cfg) if exist else None

        def loss(self, output, batch):
            criterion = torch.nn.BCEWithLogitsLoss().cuda()
            loss = F.cross_entropy(output["seg"], batch["mask"])
            if "exist" in output:
                loss += criterion(output["exist"], batch["lane_exist"].float())
            return {"loss": loss}

        def forward(self, x, **kwargs):
            output = {}
            output.update(self.decoder(x))
            if self.exist:
                output.update(self.exist(x))
            return output
"""

DECODER = """
    from torch import nn

    from ..registry import HEADS


    @HEADS.register_module
    class PlainDecoder(nn.Module):
        def __init__(self, cfg=None):
            super().__init__()
            self.conv = nn.Conv2d(16, 5, 1)

        def forward(self, x):
            return {"seg": self.conv(x)}
"""

DETECTOR = """
    from torch import nn

    from lanes.models.registry import NETS
    from ..registry import build_heads


    @NETS.register_module
    class Detector(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.heads = build_heads(cfg)

        def forward(self, batch):
            output = {}
            if self.training:
                out = self.heads(batch["img"], batch=batch)
                output.update(self.heads.loss(out, batch))
            else:
                output = self.heads(batch["img"])
            return output
"""


def lanes_project(exist_head: str = EXIST_HEAD) -> Dict[str, str]:
    return {
        "lanes/__init__.py": "",
        "lanes/utils/__init__.py": "from .registry import Registry, build_from_cfg\n",
        "lanes/utils/registry.py": REGISTRY,
        "lanes/models/__init__.py": "",
        "lanes/models/registry.py": BUILDERS,
        "lanes/models/heads/__init__.py": "",
        "lanes/models/heads/exist_head.py": exist_head,
        "lanes/models/heads/lane_seg.py": LANE_SEG,
        "lanes/models/heads/plain_decoder.py": DECODER,
        "lanes/models/nets/__init__.py": "",
        "lanes/models/nets/detector.py": DETECTOR,
    }


def test_sigmoid_head_merged_by_update_reaches_the_loss_method_of_a_registered_head(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, lanes_project(), ["NN301"])
    assert found == [("lane_seg.py", 19, 21, "NN301")]


def test_the_finding_names_the_sigmoid_in_the_registered_head(tmp_path: Path) -> None:
    from nnlint.config import Config
    from nnlint.engine import Linter

    lint_tree(tmp_path, lanes_project(), ["NN301"])
    findings = Linter(Config(select=["NN301"])).lint_paths([str(tmp_path)])
    assert len(findings) == 1
    assert "after a sigmoid (exist_head.py:15)" in findings[0].message


def test_logits_head_is_clean(tmp_path: Path) -> None:
    logits = EXIST_HEAD.replace("x = torch.sigmoid(x)", "x = x * 2.0")
    assert lint_tree(tmp_path, lanes_project(logits), ["NN301"]) == []


def test_registered_heads_that_disagree_on_the_item_give_no_finding(tmp_path: Path) -> None:
    files = lanes_project()
    files["lanes/models/heads/raw_exist.py"] = EXIST_HEAD.replace("ExistHead", "RawExist").replace(
        "x = torch.sigmoid(x)", "x = x * 2.0"
    )
    assert lint_tree(tmp_path, files, ["NN301"]) == []


FLAT_REGISTRY = """
    from mmcv.utils import Registry, build_from_cfg

    MODELS = Registry("models")
    HEADS = MODELS


    def build_head(cfg):
        return MODELS.build(cfg)


    def head_by_name(name):
        return HEADS.get(name)()
"""

FLAT_HEADS = """
    import torch
    from torch import nn
    from registry import HEADS, MODELS


    @HEADS.register_module()
    class SigmoidHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 1)

        def forward(self, x):
            return torch.sigmoid(self.fc(x))


    @MODELS.register_module(name="logits")
    class LogitHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 1)

        def forward(self, x):
            return self.fc(x)


    class PlainHead(nn.Module):
        def forward(self, x):
            return x


    HEADS.register_module(module=PlainHead)
"""

TRAIN = """
    import torch
    import torch.nn as nn
    from registry import build_head

    head = build_head(dict(type={head!r}))
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(head(x), y)
        loss.backward()
        optimizer.step()
"""


def flat_project(head: str) -> Dict[str, str]:
    return {"registry.py": FLAT_REGISTRY, "heads.py": FLAT_HEADS, "train.py": TRAIN.format(head=head)}


def test_a_literal_config_type_narrows_the_build_to_its_class(tmp_path: Path) -> None:
    assert lint_tree(tmp_path / "a", flat_project("SigmoidHead"), ["NN301"]) == [
        ("heads.py", 13, 16, "NN301"),
        ("train.py", 10, 12, "NN301"),
    ]
    assert lint_tree(tmp_path / "b", flat_project("logits"), ["NN301"]) == []
    assert lint_tree(tmp_path / "c", flat_project("LogitHead"), ["NN301"]) == []  # registered as "logits"


def _built(root: Path, files: Dict[str, str], expression: str) -> List[str]:
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text).lstrip())
    imports = "from registry import HEADS, MODELS, build_from_cfg, build_head, head_by_name"
    (root / "probe.py").write_text(f"{imports}\nvalue = {expression}\n")
    index = ProjectIndex()
    model = index.model_for_path(root / "probe.py")
    assert model is not None
    binding = model.module_scope.bindings["value"][0]
    assert isinstance(binding.value, cst.Call)
    classes = registries.built_classes(model, binding.value, model.module_scope)
    return sorted(cls.name for cls in classes or [])


def test_every_registration_form_and_build_form_is_seen(tmp_path: Path) -> None:
    files = {"registry.py": FLAT_REGISTRY, "heads.py": FLAT_HEADS}
    everything = ["LogitHead", "PlainHead", "SigmoidHead"]
    assert _built(tmp_path, files, "build_head(cfg)") == everything  # an alias (HEADS = MODELS) is one registry
    assert _built(tmp_path, files, "MODELS.build(dict(type='logits'))") == ["LogitHead"]
    assert _built(tmp_path, files, "HEADS.get('PlainHead')()") == ["PlainHead"]
    assert _built(tmp_path, files, "build_from_cfg({'type': 'SigmoidHead'}, HEADS)") == ["SigmoidHead"]
    assert _built(tmp_path, files, "head_by_name('x')") == []  # returns a call of no registry build
    assert _built(tmp_path, files, "MODELS.build(dict(type='Missing'))") == []


def test_members_keep_their_registered_names(tmp_path: Path) -> None:
    for name, text in {"registry.py": FLAT_REGISTRY, "heads.py": FLAT_HEADS}.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
    model = ProjectIndex().model_for_path(tmp_path / "registry.py")
    assert model is not None
    found: List[Tuple[str, str]] = sorted((key, cls.name) for key, cls in registries.members((model, "MODELS")))
    assert found == [("PlainHead", "PlainHead"), ("SigmoidHead", "SigmoidHead"), ("logits", "LogitHead")]


def test_the_config_type_is_followed_through_a_copy_of_the_config(tmp_path: Path) -> None:
    copying = textwrap.dedent(FLAT_REGISTRY).replace(
        "from mmcv.utils import Registry, build_from_cfg", "from mmcv.utils import Registry"
    )
    copying += textwrap.dedent(
        """

        def build_from_cfg(cfg, registry):
            args = dict(cfg)
            return registry.get(args.pop("type"))(**args)
        """
    )
    files = {"registry.py": copying, "heads.py": FLAT_HEADS}
    assert _built(tmp_path, files, "build_from_cfg(dict(type='PlainHead'), HEADS)") == ["PlainHead"]
