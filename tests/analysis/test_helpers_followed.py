"""Project helpers that do the standard thing are followed, in this file and across files: a callable
loss scaler that runs backward and step, a decorator factory applying inference_mode, a mode chosen by
a flag; and loops that only profile are not training."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import lint_text


def lint_tree(root: Path, files: Dict[str, str], select: List[str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return Linter(Config(select=select)).lint_paths([str(root)])


SCALER = """
    import torch

    class LossScaler:
        def __init__(self):
            self._scaler = torch.cuda.amp.GradScaler()

        def __call__(self, loss, optimizer):
            self._scaler.scale(loss).backward()
            self._scaler.step(optimizer)
            self._scaler.update()
"""

TRAIN = """
    import torch
    import torch.nn as nn
    from utils import LossScaler

    def train_one_epoch(model, criterion, loader, optimizer, loss_scaler):
        model.train()
        for samples, targets in loader:
            loss = criterion(model(samples), targets)
            optimizer.zero_grad()
            loss_scaler(loss, optimizer)

    model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.1), nn.Linear(8, 2))
    optimizer = torch.optim.AdamW(model.parameters())
    for epoch in range(10):
        train_one_epoch(model, nn.CrossEntropyLoss(), train_loader, optimizer, LossScaler())
"""


def test_a_loss_scaler_in_another_file_makes_the_loop_a_training_loop(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {"utils.py": SCALER, "main.py": TRAIN}, ["NN403", "NN501", "NN502"])
    assert findings == []


def test_a_loss_scaler_in_the_same_file_makes_the_loop_a_training_loop() -> None:
    source = textwrap.dedent(SCALER) + textwrap.dedent(TRAIN).replace("from utils import LossScaler\n", "")
    assert lint_text(source, select=["NN501", "NN502"]) == []


def test_a_decorator_factory_applying_inference_mode_is_no_grad(tmp_path: Path) -> None:
    helpers = """
        import torch

        def smart_inference_mode(torch_1_9=True):
            def decorate(fn):
                return (torch.inference_mode if torch_1_9 else torch.no_grad)()(fn)
            return decorate
    """
    evaluation = """
        import torch.nn as nn
        from utils.torch_utils import smart_inference_mode

        @smart_inference_mode()
        def run(model, dataloader):
            model.eval()
            for images, targets in dataloader:
                preds = model(images)
                print(preds.argmax(1).eq(targets).float().mean())
    """
    files = {"utils/__init__.py": "", "utils/torch_utils.py": helpers, "classify/val.py": evaluation}
    assert lint_tree(tmp_path, files, ["NN503"]) == []
    files["classify/val.py"] = evaluation.replace("        @smart_inference_mode()\n", "")
    findings = lint_tree(tmp_path, files, ["NN503"])
    assert [(Path(f.path).name, f.line, f.code) for f in findings] == [("val.py", 8, "NN503")]


def test_train_mode_chosen_by_a_flag_is_not_missing_eval() -> None:
    findings = lint_text(
        """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8))

        def export(model, training=False):
            if training:
                model.train()
            else:
                model.eval()
            with torch.inference_mode():
                reference = model(example)
            torch.onnx.export(model, example, "model.onnx")

        export(model, training=True)
        """,
        select=["NN501"],
    )
    assert findings == []


def test_a_profiling_loop_that_backpropagates_a_sum_is_not_training() -> None:
    findings = lint_text(
        """
        import time
        import torch

        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

        def profile(m, x, n=10):
            for _ in range(n):
                t0 = time.perf_counter()
                y = m(x)
                y.sum().backward()
                print(time.perf_counter() - t0)
        """,
        select=["NN403"],
    )
    assert findings == []


def test_a_loss_backpropagated_in_a_file_that_never_steps_is_still_reported() -> None:
    findings = lint_text(
        """
        import torch
        import torch.nn as nn

        model = nn.Linear(8, 2)
        criterion = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
        """,
        select=["NN403"],
    )
    assert [(f.line, f.column) for f in findings] == [(10, 5)]
