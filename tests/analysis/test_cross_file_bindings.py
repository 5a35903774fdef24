"""Objects reach a function from the other files of the project: a training routine of a library module
is analysed with what the entry script passes it; names come in through ``from models import *``; a
loss attached by a method call in another file; a helper of another file that switches the mode; a
user loss module around a library loss; one element of the tuple a forward returns."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import lint_text


def lint_tree(root: Path, files: Dict[str, str], select: List[str]) -> List[Tuple[str, int, int, str]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    findings = Linter(Config(select=select)).lint_paths([str(root)])
    return [(Path(f.path).name, f.line, f.column, f.code) for f in findings]


SOFTMAX_NET = """
    import torch.nn as nn
    import torch.nn.functional as F

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 3)

        def forward(self, x):
            return F.softmax(self.fc(x), dim=1)
"""

LOGITS_NET = SOFTMAX_NET.replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)")

FIT = """
    import torch

    def fit(network, loader, criterion):
        opt = torch.optim.SGD(network.parameters(), lr=0.1)
        for x, y in loader:
            opt.zero_grad()
            loss = criterion(network(x), y)
            loss.backward()
            opt.step()
"""

MAIN = """
    import torch.nn as nn
    import engine
    import nets

    engine.fit(nets.Net().cuda(), loader, nn.CrossEntropyLoss().cuda())
"""


def test_a_library_routine_sees_what_the_entry_script_passes(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"nets.py": SOFTMAX_NET, "engine.py": FIT, "main.py": MAIN}, ["NN201"])
    assert found == [("engine.py", 7, 16, "NN201")]


def test_the_same_routine_with_a_logits_model_is_silent(tmp_path: Path) -> None:
    assert lint_tree(tmp_path, {"nets.py": LOGITS_NET, "engine.py": FIT, "main.py": MAIN}, ["NN201"]) == []


def test_callers_are_only_those_that_call_this_function(tmp_path: Path) -> None:
    other = MAIN.replace("import engine", "import other_engine as engine")
    files = {
        "nets.py": SOFTMAX_NET,
        "engine.py": FIT,
        "main.py": other,
        "other_engine.py": "def fit(*args):\n    pass\n",
    }
    assert lint_tree(tmp_path, files, ["NN201"]) == []


SELF_TRAINING = """
    import torch.nn as nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 3)
            self.out = nn.Softmax(dim=1)

        def forward(self, x):
            return self.out(self.fc(x))

        def add_loss_op(self, loss_op):
            self.loss_op = loss_op

        def run_epoch(self, loader, optimizer):
            for x, y in loader:
                optimizer.zero_grad()
                loss = self.loss_op(self.__call__(x), y)
                loss.backward()
                optimizer.step()
"""

ATTACH = """
    import torch
    from torch import nn
    from model import *

    model = Classifier()
    model.add_loss_op(nn.NLLLoss())
    model.run_epoch(loader, torch.optim.SGD(model.parameters(), lr=0.1))
"""


def test_a_loss_attached_from_another_file_through_a_star_import(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"model.py": SELF_TRAINING, "train.py": ATTACH}, ["NN302"])
    assert found == [("model.py", 18, 20, "NN302")]


def test_without_the_star_import_the_class_is_unknown_and_nothing_is_said(tmp_path: Path) -> None:
    attach = ATTACH.replace("from model import *", "from elsewhere import *")
    assert lint_tree(tmp_path, {"model.py": SELF_TRAINING, "train.py": attach}, ["NN302"]) == []


EVAL_HELPER = """
    def validate(net, loader):
        net.eval()
        return sum(float((net(x) - y).abs().mean()) for x, y in loader)
"""

TRAIN_WITH_HELPER = """
    import torch
    import torch.nn as nn
    from evaluation import validate

    net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net.train()
    for step, (x, y) in enumerate(loader):
        opt.zero_grad()
        nn.functional.mse_loss(net(x), y).backward()
        opt.step()
        if step % 10 == 0:
            print(validate(net, val_loader))
"""


def test_a_helper_of_another_file_that_leaves_eval_mode_is_quoted_at_its_call(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"evaluation.py": EVAL_HELPER, "train.py": TRAIN_WITH_HELPER}, ["NN502"])
    assert found == [("train.py", 13, 15, "NN502")]


def test_restoring_training_mode_after_the_helper_is_silent(tmp_path: Path) -> None:
    restored = TRAIN_WITH_HELPER.rstrip() + "\n            net.train()\n"
    assert lint_tree(tmp_path, {"evaluation.py": EVAL_HELPER, "train.py": restored}, ["NN502"]) == []


FOCAL = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class FocalLoss(nn.Module):
        def forward(self, inputs, targets):
            bce = F.binary_cross_entropy_with_logits(inputs.view(-1), targets.view(-1), reduction="none")
            return ((1 - torch.exp(-bce)) ** 2 * bce).mean()

    head = nn.Linear(8, 1)
    criterion = FocalLoss()
    for x, y in loader:
        loss = criterion(torch.sigmoid(head(x)), y)
        loss.backward()
"""


def test_a_user_loss_module_around_bce_with_logits() -> None:
    found = lint_text(FOCAL, ["NN301"])
    assert [(f.line, f.column, f.code) for f in found] == [(14, 12, "NN301")]
    assert "FocalLoss (through binary_cross_entropy_with_logits)" in found[0].message


def test_a_wrapper_that_applies_the_sigmoid_itself_squashes_a_sigmoid_output_twice() -> None:
    own_sigmoid = FOCAL.replace(
        'F.binary_cross_entropy_with_logits(inputs.view(-1), targets.view(-1), reduction="none")',
        'F.binary_cross_entropy(torch.sigmoid(inputs), targets, reduction="none")',
    )
    found = lint_text(own_sigmoid, ["NN301", "NN303"])
    assert [(f.line, f.column, f.code) for f in found] == [(14, 12, "NN301")]
    assert "it applies the sigmoid itself, so pass the raw logits" in found[0].message
    raw = own_sigmoid.replace("criterion(torch.sigmoid(head(x)), y)", "criterion(head(x), y)")
    assert lint_text(raw, ["NN301", "NN303"]) == []


TWO_HEADS = """
    import torch.nn as nn

    class Disc(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 1)
            self.cls = nn.Linear(8, 4)
            self.softmax = nn.Softmax(dim=1)

        def forward(self, x):
            return self.fc(x), self.softmax(self.cls(x))

    disc = Disc()
    bce, nll = nn.BCEWithLogitsLoss(), nn.NLLLoss()
    for x, y, c in loader:
        score, classes = disc(x)
        loss = bce(score, y) + nll(classes, c)
        loss.backward()
"""


def test_one_element_of_a_returned_tuple_and_of_a_tuple_of_losses() -> None:
    found = lint_text(TWO_HEADS, ["NN301", "NN302"])
    assert [(f.line, f.column, f.code) for f in found] == [(18, 28, "NN302")]


def test_a_module_stored_under_an_activation_name_is_that_module() -> None:
    log_softmax = TWO_HEADS.replace("nn.Softmax(dim=1)", "nn.LogSoftmax(dim=1)")
    assert lint_text(log_softmax, ["NN302"]) == []


TWO_OPTIMIZERS = """
    import torch
    import torch.nn as nn

    gen, disc = nn.Linear(4, 4), nn.Linear(4, 1)
    opt_g = torch.optim.Adam(gen.parameters())
    opt_d = torch.optim.Adam(disc.parameters())
    for x in loader:
        d_loss = disc(x).mean() - disc(gen(x).detach()).mean()
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = -disc(gen(x)).mean()
        g_loss.backward()
        opt_g.step()
"""


def test_each_optimizer_needs_its_own_clearing() -> None:
    found = lint_text(TWO_OPTIMIZERS, ["NN402"])
    assert [(f.line, f.column, f.code) for f in found] == [(11, 5, "NN402")]
    assert "only the other optimizers call zero_grad()" in found[0].message


def test_clearing_both_optimizers_or_the_model_is_silent() -> None:
    both = TWO_OPTIMIZERS.replace("    d_loss = disc", "    opt_d.zero_grad()\n        d_loss = disc")
    assert lint_text(both, ["NN402"]) == []
    through_model = TWO_OPTIMIZERS.replace("    d_loss = disc", "    disc.zero_grad()\n        d_loss = disc")
    assert lint_text(through_model, ["NN402"]) == []


SKORCH = """
    import torch.nn as nn
    from skorch import NeuralNet

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(20, 2)
            self.softmax = nn.Softmax(dim=-1)

        def forward(self, X):
            return self.softmax(self.fc(X))

    net = NeuralNet(Net, criterion=nn.CrossEntropyLoss, max_epochs=10, lr=0.1)
    net.fit(X, y)
"""


def test_a_framework_given_a_softmax_module_and_cross_entropy() -> None:
    found = lint_text(SKORCH, ["NN201"])
    assert [(f.line, f.column, f.code) for f in found] == [(14, 7, "NN201")]


def test_a_framework_given_a_logits_module_or_nll_is_silent() -> None:
    assert lint_text(SKORCH.replace("self.softmax(self.fc(X))", "self.fc(X)"), ["NN201"]) == []
    # skorch's NLLLoss default expects probabilities: softmax is right there
    assert lint_text(SKORCH.replace("nn.CrossEntropyLoss", "nn.NLLLoss"), ["NN201", "NN302"]) == []


HANDED_LAYER = """
    import torch.nn as nn
    import torch.nn.functional as F
    from condrop import ConcreteDropout

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(20, 2)
            self.cd = ConcreteDropout()
            self.softmax = nn.Softmax(dim=1)

        def forward(self, x):
            return self.cd(x, nn.Sequential(self.fc, self.softmax))

    model = Net()
    for x, y in loader:
        F.cross_entropy(model(x), y).backward()
"""


def test_a_wrapper_out_of_sight_returns_what_the_layer_it_is_handed_returns() -> None:
    found = lint_text(HANDED_LAYER, ["NN201"])
    assert [(f.line, f.column, f.code) for f in found] == [(18, 5, "NN201")]
    assert lint_text(HANDED_LAYER.replace("nn.Sequential(self.fc, self.softmax)", "self.fc"), ["NN201"]) == []
