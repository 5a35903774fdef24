"""Blind spots found on a third round of real bugs outside the development set
(bench/realcode/holdout3-bugs.tsv), each a general gap in the semantic model:

- ``model.generate(...)`` (Hugging Face decoding) runs the model's forward in its current mode (NN501);
- a model built on one branch of an ``if`` only (``if resume: m = load() else: m = Net()``) keeps the
  mode it was built in after the ``if``: on the other path that object does not exist (NN501);
- ``nn.ModuleDict(dict(drop=nn.Dropout(p), ...))``: the keyword items of ``dict(...)`` are submodules;
- a helper evaluating a model that a caller of another file passes in training mode is reported in the
  helper's own file too (linting ``metrics.py`` alone shows it) (NN501).
"""

from __future__ import annotations

from pathlib import Path

from nnlint.config import Config
from nnlint.engine import Linter
from tests.analysis.test_holdout_causes import lint_tree
from tests.conftest import lint_text

GENERATE = """
    import torch


    def predict(model, loader):
        outputs = []
        with torch.no_grad():
            for batch in loader:
                ids = {decode}(batch["pixel_values"])
                outputs.extend(ids)
        return outputs


    def train(model, train_loader, val_loader, epochs=3):
        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
        model.train()
        for epoch in range(epochs):
            for batch in train_loader:
                loss = model(pixel_values=batch["pixel_values"], labels=batch["labels"]).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
            predictions = predict(model, val_loader)
"""


def test_generate_runs_the_forward_in_the_models_current_mode() -> None:
    findings = lint_text(GENERATE.format(decode="model.generate"), ["NN501"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN501", 9, 19)]
    assert "training mode during evaluation" in findings[0].message


def test_generate_of_another_object_is_not_a_forward() -> None:
    assert lint_text(GENERATE.format(decode="sampler.generate"), ["NN501"]) == []


OWN_GENERATE = """
    import torch
    import torch.nn as nn


    class Captioner(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.2))

        def forward(self, x):
            return self.net(x)

        def generate(self, x):
            return [self.sample_token(x)]

        def sample_token(self, x):
            return x.sum()


    def train(train_loader, val_loader):
        model = Captioner()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(3):
            for x, y in train_loader:
                loss = (model(x) - y).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            with torch.no_grad():
                for x, y in val_loader:
                    captions = model.generate(x)
"""


def test_a_projects_own_generate_is_read_as_code_not_as_a_forward() -> None:
    # this class's generate never calls the forward: nothing runs in training mode there
    assert lint_text(OWN_GENERATE, ["NN501"]) == []


RESUME_OR_FRESH = """
    import torch
    import torch.nn as nn
    from models import build_from_checkpoint


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))

        def forward(self, x):
            return self.body(x)


    def run(args, train_loader, val_loader):
        if args.resume:
            net, state = build_from_checkpoint(args.path)
        else:
            net = Net()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(2):
            for x, y in train_loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(net(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                for x, y in val_loader:
                    accuracy = (net(x).argmax(1) == y).float().mean()
"""

FACTORY = """
    import torch
    from train import Net


    def build_from_checkpoint(path):
        state = torch.load(path)
        net = Net()
        net.load_state_dict(state["model"])
        return net, state
"""


def test_a_model_built_on_each_branch_is_in_training_mode_after_the_if(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"train.py": RESUME_OR_FRESH, "models.py": FACTORY}, ["NN501"])
    assert found == [("train.py", 28, 29, "NN501")]


def test_a_mode_set_on_one_branch_of_a_model_from_elsewhere_stays_unknown() -> None:
    # `net` is not built here: evaluation mode on one path, as the caller had it on the other
    source = """
        import torch


        def evaluate(net, val_loader, fast):
            if fast:
                net.eval()
            with torch.no_grad():
                for x, y in val_loader:
                    accuracy = (net(x).argmax(1) == y).float().mean()
            return accuracy
    """
    assert lint_text(source, ["NN501"]) == []


MODULE_DICT = """
    import torch
    import torch.nn as nn


    class TinyLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.parts = nn.ModuleDict(dict(emb=nn.Embedding(50, 16), drop={layer}))
            self.head = nn.Linear(16, 50)

        def forward(self, idx):
            return self.head(self.parts.drop(self.parts.emb(idx)))


    model = TinyLM()
    optimizer = torch.optim.AdamW(model.parameters())
    for epoch in range(2):
        for x, y in train_loader:
            loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            for x, y in val_loader:
                val_loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
"""


def test_keyword_items_of_dict_in_a_module_dict_are_submodules() -> None:
    findings = lint_text(MODULE_DICT.format(layer="nn.Dropout(0.1)"), ["NN501"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN501", 26, 52)]


def test_module_dict_without_mode_dependent_items_is_not_reported() -> None:
    assert lint_text(MODULE_DICT.format(layer="nn.Identity()"), ["NN501"]) == []


ESTIMATE = """
    import torch


    @torch.inference_mode()
    def estimate_loss(model, loaders, iters):
        out = {}
        for split, loader in loaders:
            losses = torch.zeros(iters)
            for k, (x, y) in zip(range(iters), loader):
                losses[k] = model(x, y).item()
            out[split] = losses.mean()
        return out
"""

NANO_TRAIN = """
    import torch
    import torch.nn as nn
    from metrics import estimate_loss


    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.1), nn.Linear(8, 1))

        def forward(self, x, y):
            return ((self.body(x) - y) ** 2).mean()


    model = Tiny()
    optimizer = torch.optim.AdamW(model.parameters())
    for step, (x, y) in zip(range(1000), train_loader):
        if step % 100 == 0:
            {evaluate}
        loss = model(x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""


def test_a_helper_evaluating_a_model_passed_in_training_mode_is_reported_in_its_own_file(tmp_path: Path) -> None:
    files = {"metrics.py": ESTIMATE, "train.py": NANO_TRAIN.format(evaluate="print(estimate_loss(model, [], 5))")}
    found = lint_tree(tmp_path, files, ["NN501"])
    assert found == [("metrics.py", 10, 25, "NN501"), ("train.py", 19, 15, "NN501")]
    only_helper = Linter(Config(select=["NN501"])).lint_paths([str(tmp_path / "metrics.py")])
    assert [(f.line, f.column) for f in only_helper] == [(10, 25)]
    assert "passed in training mode by train.py:19" in only_helper[0].message


def test_a_helper_given_a_model_in_evaluation_mode_is_not_reported(tmp_path: Path) -> None:
    evaluate = "model.eval(); print(estimate_loss(model, [], 5)); model.train()"
    found = lint_tree(tmp_path, {"metrics.py": ESTIMATE, "train.py": NANO_TRAIN.format(evaluate=evaluate)}, ["NN501"])
    assert found == []
