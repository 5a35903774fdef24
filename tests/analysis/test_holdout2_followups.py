"""Causes left by the second holdout (bench/realcode/holdout2-miss-causes.md), closed in the semantic model:

- a series normalised one element at a time whose own rows are later split (``split(xs[i])``) was
  normalised with whole-data statistics of that element (NN103);
- a plain object's own methods that switch its modules' mode are mode switches where they are called
  (NN501/NN502).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from nnlint.analysis.model import SemanticModel
from tests.analysis.test_holdout_causes import lint_tree
from tests.conftest import lint_text

PER_SERIES = """
    import numpy as np
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import MinMaxScaler

    scalers = [MinMaxScaler() for _ in series_list]
    xs, ys = [], []
    for i in range(len(series_list)):
        series = series_list[i]
        normed = scalers[i].fit_transform(series)
        x, y = windows(normed, 5)
        xs.append(x)
        ys.append(y)
    for i in range(len(xs)):
        x_train, x_test, y_train, y_test = train_test_split({split}, ys[i], shuffle=False)
"""


def test_one_series_normalised_per_element_then_split_on_its_own_rows_leaks() -> None:
    findings = lint_text(PER_SERIES.format(split="xs[i]"), ["NN103"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN103", 10, 14)]
    assert "statistics of series" in findings[0].message and "(line 15)" in findings[0].message


def test_element_bound_to_a_name_before_the_split_leaks_too() -> None:
    loop = "    for i in range(len(xs)):\n"
    source = PER_SERIES.format(split="x_i").replace(loop, loop + "        x_i = xs[i]\n")
    findings = lint_text(source, ["NN103"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN103", 10, 14)]


def test_per_sample_normalisation_whose_collection_is_split_stays_silent() -> None:
    # each image is one sample: splitting the collection of normalised images divides samples, not rows
    source = """
        import numpy as np
        from sklearn.model_selection import train_test_split

        normed = []
        for path in paths:
            img = load(path)
            normed.append((img - img.mean()) / img.std())
        train, test = train_test_split(np.stack(normed), test_size=0.2)
        first, rest = train_test_split(normed[:10])
    """
    assert lint_text(source, ["NN103"]) == []


def test_per_element_normalisation_split_through_a_helper_of_another_file(tmp_path: Path) -> None:
    files = {
        "utils.py": """
            import numpy as np


            def split_data(x, y, ratio):
                n = int(len(y) * ratio)
                return x[0:n], y[0:n], x[n:len(x)], y[n:len(y)]
        """,
        "main.py": """
            from sklearn.preprocessing import MinMaxScaler
            from utils import *

            scaler = [MinMaxScaler(), MinMaxScaler()]
            xs = []
            for i in range(len(dataset)):
                temp = dataset[i]
                normed = scaler[i].fit_transform(temp)
                xs.append(normed)
            for i in range(len(xs)):
                x_train, y_train, x_test, y_test = split_data(xs[i], targets[i], 0.9)
        """,
    }
    assert lint_tree(tmp_path, files, ["NN103"]) == [("main.py", 8, 14, "NN103")]


WRAPPER = """
    import torch
    from torch import nn


    class Pair(object):
        def __init__(self):
            self.img_enc = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
            self.txt_enc = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
            self.optimizer = torch.optim.SGD(self.img_enc.parameters(), lr=0.1)

        def train_start(self):
            self.img_enc.train()
            self.txt_enc.train()

        def val_start(self):
            self.img_enc.eval()
            self.txt_enc.eval()

        def forward_emb(self, images, captions):
            return self.img_enc(images), self.txt_enc(captions)

        def train_emb(self, images, captions):
            img, cap = self.forward_emb(images, captions)
            loss = ((img - cap) ** 2).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()


    def validate(model, val_loader):
        model.val_start()
        with torch.no_grad():
            for images, captions in val_loader:
                img, cap = model.forward_emb(images, captions)
                print(float(((img - cap) ** 2).mean()))


    def train(model, train_loader, val_loader):
        {before}
        for i, (images, captions) in enumerate(train_loader):
            {inside}
            model.train_emb(images, captions)
            if i % 100 == 0:
                validate(model, val_loader)


    model = Pair()
    for epoch in range(10):
        train(model, train_loader, val_loader)
"""


def test_wrapper_methods_that_switch_its_modules_are_mode_switches() -> None:
    # val_start() of the plain object puts its encoders in eval mode; train_start() runs once per epoch only
    source = WRAPPER.format(before="model.train_start()", inside="pass")
    findings = lint_text(source, ["NN502"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN502", 17, 9)]
    assert "training step at line 43" in findings[0].message


def test_wrapper_switched_back_before_each_training_step_stays_silent() -> None:
    assert lint_text(WRAPPER.format(before="pass", inside="model.train_start()"), ["NN502"]) == []


def test_wrapper_of_another_file_trains_in_the_mode_its_methods_set_here(tmp_path: Path) -> None:
    wrapper, driver = textwrap.dedent(WRAPPER).split("def validate")
    files = {
        "model.py": wrapper,
        "train.py": "import torch\nfrom model import Pair\n\n\ndef validate"
        + driver.format(before="model.train_start()", inside="pass"),
    }
    # the eval mode is set in model.py, quoted here by the call that sets it (validate's val_start())
    assert lint_tree(tmp_path, files, ["NN502"]) == [("train.py", 6, 5, "NN502")]


def test_torchvision_architecture_picked_by_name_has_mode_dependent_layers() -> None:
    source = textwrap.dedent(
        """
        import torchvision.models as models

        model = models.__dict__[arch](pretrained=True)
        other = registry[arch](pretrained=True)
        """
    )
    model = SemanticModel(cst.parse_module(source), "m.py")
    by_name, other = (model.object_of(c.node, c.scope) for c in model.calls if c.node.args)
    assert (by_name.kind, by_name.qualname, model.has_mode_dependent_layers(by_name)) == (
        "model",
        "torchvision.models.<by name>",
        True,
    )
    assert other.kind == "unknown"
