"""Blind spots found on real bugs outside the development set (bench/realcode/holdout-bugs.tsv), each a
general gap in the semantic model:

- a loss bound by tuple unpacking (``loss, mse, ce = loss_fn(...)``) whose ``.backward()`` is called is a
  graph-attached loss (NN405);
- scripts in a subfolder (``LRCN/train.py``) call the helpers of a module at the repository's top level;
- one model class built by several callers (train.py and test.py) keeps its class through a parameter,
  and a caller whose own parameter no visible call fills does not blur the others (NN201);
- a loader handed to Lightning's ``Trainer.fit`` is a training loader (NN101);
- an evaluation loop may score its batches only through a helper of another project file (NN501).
"""

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
    return [(str(Path(f.path).relative_to(root)), f.line, f.column, f.code) for f in findings]


UNPACKED_LOSS = """
    import torch
    from torch.utils.data import DataLoader
    from losses import composite_loss

    net = torch.nn.Linear(3, 2)
    loader = DataLoader(ds, batch_size=4, shuffle=True)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    for epoch in range(10):
        running = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss, mse, ce = composite_loss(net(x), y)
            loss.backward()
            optimizer.step()
            running += {value}
"""


def test_backpropagated_loss_bound_by_unpacking_is_kept_with_its_graph() -> None:
    findings = lint_text(UNPACKED_LOSS.format(value="loss"), ["NN405"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN405", 16, 9)]
    assert "running += <loss tensor>" in findings[0].message


def test_unpacked_loss_item_and_unbackpropagated_parts_are_silent() -> None:
    assert lint_text(UNPACKED_LOSS.format(value="loss.item()"), ["NN405"]) == []
    assert lint_text(UNPACKED_LOSS.format(value="mse"), ["NN405"]) == []  # a part never backpropagated here


SOFTMAX_MODEL = """
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(8, 16)
            self.head = nn.Sequential(nn.Linear(16, 3), nn.Softmax(dim=-1))

        def forward(self, x):
            return self.head(self.body(x))
"""

HELPERS = """
    import torch

    def step(model, x, y, criterion):
        out = model(x)
        return criterion(out, y), (out.argmax(1) == y).sum()

    def train_epoch(model, loader, optimizer, criterion):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss, _ = step(model, x, y, criterion)
            loss.backward()
            optimizer.step()

    def evaluate(model, loader, criterion):
        model.eval()
        with torch.no_grad():
            return sum(step(model, x, y, criterion)[1] for x, y in loader)

    def evaluate_stream(model, frames, criterion):
        model.eval()
        with torch.no_grad():
            return sum(step(model, x, y, criterion)[1] for x, y in frames)
"""

TRAIN_SCRIPT = """
    import torch
    import torch.nn as nn
    from helpers import train_epoch, evaluate
    from models import Net

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        train_epoch(model, train_loader, optimizer, criterion)
        evaluate(model, val_loader, criterion)
"""

TEST_SCRIPT = """
    import torch.nn as nn
    from helpers import evaluate
    from models import Net

    print(evaluate(Net(), test_loader, nn.CrossEntropyLoss()))
"""


def test_scripts_in_a_subfolder_bind_the_parameters_of_top_level_helpers(tmp_path: Path) -> None:
    files = {
        "models.py": SOFTMAX_MODEL,
        "helpers.py": HELPERS,
        "scripts/train.py": TRAIN_SCRIPT,
        "scripts/test.py": TEST_SCRIPT,
    }
    assert lint_tree(tmp_path, files, ["NN201"]) == [("helpers.py", 5, 12, "NN201")]


def test_logits_model_through_subfolder_scripts_is_silent(tmp_path: Path) -> None:
    logits = SOFTMAX_MODEL.replace("nn.Sequential(nn.Linear(16, 3), nn.Softmax(dim=-1))", "nn.Linear(16, 3)")
    files = {
        "models.py": logits,
        "helpers.py": HELPERS,
        "scripts/train.py": TRAIN_SCRIPT,
        "scripts/test.py": TEST_SCRIPT,
    }
    assert lint_tree(tmp_path, files, ["NN201"]) == []


def test_two_classes_passed_for_one_parameter_are_each_checked(tmp_path: Path) -> None:
    """evaluate() gets Net (softmax) from train.py and Other (logits) from test.py: on Net's path the
    cross-entropy receives probabilities, so the loss call is reported (object_alternatives)."""
    other = SOFTMAX_MODEL.replace("class Net", "class Other").replace(
        "nn.Sequential(nn.Linear(16, 3), nn.Softmax(dim=-1))", "nn.Linear(16, 3)"
    )
    test_other = TEST_SCRIPT.replace("from models import Net", "from others import Other").replace("Net()", "Other()")
    files = {
        "models.py": SOFTMAX_MODEL,
        "others.py": other,
        "helpers.py": HELPERS,
        "scripts/train.py": TRAIN_SCRIPT,
        "scripts/test.py": test_other,
    }
    assert lint_tree(tmp_path, files, ["NN201"]) == [("helpers.py", 5, 12, "NN201")]


LIGHTNING = """
    import torch
    import pytorch_lightning as pl
    from torch.utils.data import DataLoader

    class Classifier(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Linear(4, 3)

        def training_step(self, batch, batch_idx):
            x, y = batch
            return torch.nn.functional.cross_entropy(self.net(x), y)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

    train_loader = DataLoader(train_set, batch_size=16{shuffle})
    val_loader = DataLoader(val_set, batch_size=16)
    trainer = pl.Trainer(max_epochs=3)
    trainer.fit({args})
"""


def test_loader_given_to_lightning_fit_is_a_training_loader() -> None:
    for args in ("Classifier(), train_loader, val_loader", "Classifier(), train_dataloaders=train_loader"):
        findings = lint_text(LIGHTNING.format(shuffle="", args=args), ["NN101"])
        assert [(f.code, f.line, f.column) for f in findings] == [("NN101", 18, 16)], args
        assert "feeds Trainer.fit at line 21" in findings[0].message


def test_shuffled_or_validation_loaders_of_lightning_fit_are_silent() -> None:
    assert (
        lint_text(LIGHTNING.format(shuffle=", shuffle=True", args="Classifier(), train_loader, val_loader"), ["NN101"])
        == []
    )
    only_val = LIGHTNING.format(shuffle=", shuffle=True", args="Classifier(), train_loader, val_dataloaders=val_loader")
    assert lint_text(only_val, ["NN101"]) == []
    not_lightning = LIGHTNING.format(shuffle="", args="Classifier(), train_loader").replace(
        "trainer = pl.Trainer(max_epochs=3)", "trainer = MyTrainer()"
    )
    assert lint_text(not_lightning, ["NN101"]) == []  # an unknown trainer's fit proves nothing


DECODER = """
    import torch

    class Decoder:
        def decode(self, scores):
            _, best = torch.max(scores, 2)
            return best.tolist()
"""

PRINTER = """
    def show(values):
        print(values)
"""

SCORED_LOOP = """
    import torch
    import torch.nn as nn
    from decoding import Decoder
    from printing import show

    model = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Linear(16, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    decoder = Decoder()
    for epoch in range(3):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        for x, y in val_loader:
            out = model(x)
            {use}
"""


def test_evaluation_scored_by_a_helper_of_another_file_needs_eval(tmp_path: Path) -> None:
    files = {"decoding.py": DECODER, "printing.py": PRINTER, "train.py": SCORED_LOOP.format(use="decoder.decode(out)")}
    assert lint_tree(tmp_path, files, ["NN501"]) == [("train.py", 17, 15, "NN501")]


def test_loop_that_only_hands_outputs_to_a_non_scoring_helper_is_not_evaluation(tmp_path: Path) -> None:
    files = {"decoding.py": DECODER, "printing.py": PRINTER, "train.py": SCORED_LOOP.format(use="show(out)")}
    assert lint_tree(tmp_path, files, ["NN501"]) == []


DICT_OUTPUT = """
    import torch

    def train_epoch(module, loader, optimizer):
        outputs = []
        for i, batch in enumerate(loader):
            optimizer.zero_grad()
            output = module.training_step(batch, i)
            output["loss"].backward()
            optimizer.step()
            {keep}
            outputs.append(output)
        return outputs
"""


def test_dict_whose_item_is_backpropagated_is_kept_with_its_graph() -> None:
    findings = lint_text(DICT_OUTPUT.format(keep="pass"), ["NN405"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN405", 12, 9)]
    assert "outputs.append(<loss tensor>)" in findings[0].message


def test_dict_with_detached_loss_is_silent() -> None:
    detached = DICT_OUTPUT.format(keep='output["loss"] = output["loss"].detach()')
    assert lint_text(detached, ["NN405"]) == []
