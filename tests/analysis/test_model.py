"""Unit tests for the semantic model: name resolution, model output tails, objects, loop classification."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from nnlint.analysis.model import CallInfo, SemanticModel
from nnlint.analysis.project import ProjectIndex


def build(source: str, path: str = "<test>") -> SemanticModel:
    return SemanticModel(cst.parse_module(textwrap.dedent(source)), path)


def call_named(model: SemanticModel, text: str) -> CallInfo:
    """The first call whose source text starts with ``text``."""
    for call in model.calls:
        if model.module.code_for_node(call.node).startswith(text):
            return call
    raise AssertionError(f"no call {text!r}")


# ------------------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    "imports,expr,expected",
    [
        ("import torch.nn as nn", "nn.CrossEntropyLoss()", "torch.nn.CrossEntropyLoss"),
        ("from torch import nn", "nn.CrossEntropyLoss()", "torch.nn.CrossEntropyLoss"),
        ("import torch", "torch.nn.CrossEntropyLoss()", "torch.nn.CrossEntropyLoss"),
        ("from torch.nn import CrossEntropyLoss as CE", "CE()", "torch.nn.CrossEntropyLoss"),
        ("import torch.nn.functional as F", "F.softmax(x)", "torch.nn.functional.softmax"),
        ("from torch.nn import functional as Fn", "Fn.cross_entropy(x)", "torch.nn.functional.cross_entropy"),
        ("from torch.nn.modules.loss import CrossEntropyLoss", "CrossEntropyLoss()", "torch.nn.CrossEntropyLoss"),
        ("from torch.optim import sgd", "sgd.SGD(p)", "torch.optim.SGD"),
        ("import torch\nF = torch.nn.functional", "F.relu(x)", "torch.nn.functional.relu"),
        ("from torch.utils.data import DataLoader as DL", "DL(ds)", "torch.utils.data.DataLoader"),
    ],
)
def test_qualified_names_through_aliases(imports: str, expr: str, expected: str) -> None:
    model = build(f"{imports}\ny = {expr}\n")
    call = model.calls[-1]
    assert model.callee_qualname(call.node, call.scope) == expected


def test_local_name_shadows_import() -> None:
    model = build(
        """
        from torch.nn import Softmax
        def f():
            Softmax = make_my_own
            return Softmax()
        """
    )
    call = model.calls[-1]
    assert model.callee_qualname(call.node, call.scope) is None


def test_relative_import_in_package(tmp_path: Path) -> None:
    package = tmp_path / "proj"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "nets.py").write_text(
        "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(2, 2)\n        self.out = nn.Softmax(dim=1)\n"
        "    def forward(self, x):\n        return self.out(self.fc(x))\n"
    )
    train = package / "train.py"
    train.write_text("from .nets import Net\nmodel = Net()\ny = model(x)\n")
    project = ProjectIndex()
    model = project.model_for_path(train)
    assert model is not None
    call = call_named(model, "model(x)")
    tail = model.tail_of(call.node, call.scope)
    assert tail.kind == "softmax"
    assert tail.owner is not None and tail.owner.path.endswith("nets.py")


def test_sibling_module_import(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "from torch import nn\nclass Regressor(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1), nn.ReLU())\n"
        "    def forward(self, x):\n        return self.net(x)\n"
    )
    train = tmp_path / "train.py"
    train.write_text("import models\nm = models.Regressor()\npred = m(x)\n")
    model = ProjectIndex().model_for_path(train)
    assert model is not None
    call = call_named(model, "m(x)")
    assert model.tail_of(call.node, call.scope).kind == "relu"


# ------------------------------------------------------------------------------------- tails
TAIL_CASES = [
    (
        "sequential",
        """
        import torch.nn as nn
        model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
        out = model(x)
        """,
        "softmax",
    ),
    (
        "ordered dict sequential",
        """
        from collections import OrderedDict
        from torch import nn
        model = nn.Sequential(OrderedDict([("fc", nn.Linear(4, 3)), ("act", nn.Sigmoid())]))
        out = model(x)
        """,
        "sigmoid",
    ),
    (
        "forward through local variable and helper method",
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 3)
            def head(self, h):
                return F.log_softmax(h, dim=1)
            def forward(self, x):
                h = self.fc(x)
                out = self.head(h)
                return out
        model = Net().to("cpu")
        out = model(x)
        """,
        "log_softmax",
    ),
    (
        "training path only",
        """
        import torch.nn as nn
        import torch.nn.functional as F
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 3)
            def forward(self, x):
                x = self.fc(x)
                if not self.training:
                    return F.softmax(x, dim=1)
                return x
        model = Net()
        out = model(x)
        """,
        "linear",
    ),
    (
        "tensor method and view",
        """
        import torch.nn as nn
        model = nn.Linear(4, 3)
        out = model(x).sigmoid().view(-1)
        """,
        "sigmoid",
    ),
    (
        "wrapped in DataParallel",
        """
        import torch
        from torch import nn
        net = nn.DataParallel(nn.Sequential(nn.Linear(4, 3), nn.Tanh()))
        out = net(x)
        """,
        "tanh",
    ),
    (
        "unknown callable",
        """
        out = mystery(x)
        """,
        "unknown",
    ),
]


@pytest.mark.parametrize("source,expected", [(s, e) for _, s, e in TAIL_CASES], ids=[n for n, _, _ in TAIL_CASES])
def test_output_tails(source: str, expected: str) -> None:
    model = build(source)
    binding = model.lookup("out", model.module_scope)
    assert binding is not None
    assert model.tail_of(binding.value, model.module_scope).kind == expected


# ------------------------------------------------------------------------------------ objects
def test_objects_through_self_attributes_and_parameters() -> None:
    model = build(
        """
        import torch
        from torch import nn, optim
        from torch.utils.data import DataLoader

        class Trainer:
            def __init__(self, net, loader):
                self.net = net
                self.criterion = nn.MSELoss()
                self.opt = optim.Adam(net.parameters(), lr=1e-3)
                self.loader = loader
            def fit(self):
                for x, y in self.loader:
                    loss = self.criterion(self.net(x), y)

        def run(loader):
            for batch in loader:
                pass

        train_loader = DataLoader(ds, batch_size=8, shuffle=True)
        run(train_loader)
        """
    )
    fit = model.find_class("Trainer").methods["fit"]
    loss_call = call_named(model, "self.criterion(")
    assert model.loss_kind(loss_call.node, loss_call.scope) == ("mse", "torch.nn.MSELoss")
    opt = model.attribute_object(model.find_class("Trainer"), "opt")
    assert opt.kind == "optimizer" and opt.qualname == "torch.optim.Adam"
    run = model.find_function("run")
    loop = next(candidate for candidate in model.loops if candidate.function is run)
    assert model.object_of(loop.iter, run.scope).kind == "loader"
    assert fit is not None


def test_number_follows_module_constants() -> None:
    model = build("MAX_NORM = 0.5\nLR = 1e-3 * 2\ny = f(MAX_NORM, LR, -3)\n")
    call = model.calls[-1]
    values = [model.number(arg.value, call.scope) for arg in call.node.args]
    assert values == [0.5, 0.002, -3.0]


def test_mode_dependent_layers() -> None:
    model = build(
        """
        import torch.nn as nn
        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                self.fc = nn.Linear(4, 2)
        plain = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        deep = Net()
        """
    )
    deep = model.object_of(model.lookup("deep", model.module_scope).value, model.module_scope)
    plain = model.object_of(model.lookup("plain", model.module_scope).value, model.module_scope)
    assert model.has_mode_dependent_layers(deep) is True
    assert model.has_mode_dependent_layers(plain) is False


# ------------------------------------------------------------------------------------- loops
LOOPS = """
import torch
import torch.nn as nn

def train_one_epoch(model, loader, optimizer, criterion):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()

@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    for x, y in loader:
        model(x)

def main():
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        train_one_epoch(model, loader, optimizer, criterion)
        evaluate(model, loader)
        with torch.inference_mode():
            for x, y in val_loader:
                model(x)
"""


def test_loop_classification() -> None:
    model = build(LOOPS)
    by_function = {}
    for loop in model.loops:
        by_function.setdefault(loop.function.name if loop.function else None, []).append(loop)
    train_loop = by_function["train_one_epoch"][0]
    eval_loop = by_function["evaluate"][0]
    epoch_loop, inner_eval = by_function["main"]
    assert model.is_training_loop(train_loop)
    assert not model.is_training_loop(eval_loop)
    assert model.is_training_loop(epoch_loop)  # through train_one_epoch
    assert not model.is_training_loop(inner_eval)
    step = call_named(model, "optimizer.step()")
    assert model.optimizer_step_target(step) is not None
    eval_forward = [c for c in eval_loop.calls if model.module.code_for_node(c.node) == "model(x)"][0]
    assert model.in_no_grad(eval_forward)
    inner_forward = [c for c in inner_eval.calls if model.module.code_for_node(c.node) == "model(x)"][0]
    assert model.in_no_grad(inner_forward)
    train_forward = [c for c in train_loop.calls if model.module.code_for_node(c.node) == "model(x)"][0]
    assert not model.in_no_grad(train_forward)


def test_scheduler_and_scaler_steps() -> None:
    model = build(
        """
        import torch
        opt = torch.optim.AdamW(params, lr=1e-3)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 10)
        scaler = torch.cuda.amp.GradScaler()
        for x in data:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            sched.step()
        """
    )
    loop = model.loops[0]
    assert model.loop_does(loop, "backward") and model.loop_does(loop, "step")
    sched_step = call_named(model, "sched.step()")
    assert model.is_scheduler_step(sched_step)
    assert model.optimizer_step_target(sched_step) is None


def test_assignment_is_not_visible_inside_its_own_statement() -> None:
    model = build(
        """
        import torch.nn as nn
        net = nn.Sequential(nn.Linear(4, 2), nn.Sigmoid())
        net = net.to("cpu")
        out = net(x)
        def f():
            nn = nn  # the right-hand nn is the module-level import
            return nn.Softmax(dim=1)
        """
    )
    out = model.lookup("out", model.module_scope)
    assert model.tail_of(out.value, model.module_scope).kind == "sigmoid"
    inner = model.calls[-1]
    assert model.callee_qualname(inner.node, inner.scope) == "torch.nn.Softmax"


def test_loop_target_is_not_visible_in_its_own_iterable() -> None:
    model = build(
        """
        import torch.nn as nn
        batches = nn.Sequential(nn.Linear(4, 2), nn.Tanh())
        for batches in wrap(batches):
            pass
        """
    )
    loop = model.loops[0]
    inner = loop.iter.args[0].value
    binding = model.reaching_value(inner, model.module_scope)
    assert binding is not None and binding.kind == "assign"
