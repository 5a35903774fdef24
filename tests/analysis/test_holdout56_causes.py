"""Causes of the misses of holdout rounds 5 and 6 (``bench/realcode/holdout5-bugs.tsv``, ``holdout6-bugs.tsv``),
each as the construct real code used, with a twin that must stay silent."""

from __future__ import annotations

from typing import List, Tuple

from nnlint.analysis.source import decode_source
from tests.conftest import lint_text


def _found(source: str, code: str) -> List[Tuple[int, int]]:
    return [(f.line, f.column) for f in lint_text(source, select=[code]) if f.code == code]


SAMPLER_OR_NONE = """import torch
from torch.utils.data import DataLoader


def train(train_loader, model, optimizer):
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = model(x).sum()
        loss.backward()
        optimizer.step()


def main(args, train_dataset, model, optimizer):
    if args.nodes > 1:
        train_sampler = torch.utils.data.distributed.DistributedSampler(train_dataset, shuffle=True)
    else:
        train_sampler = None
    train_loader = DataLoader(train_dataset, batch_size=4, shuffle=(train_sampler is None), sampler=train_sampler)
    for epoch in range(10):
        train(train_loader, model, optimizer)
"""


def test_a_sampler_that_is_none_on_the_other_branch_is_still_the_sampler() -> None:
    assert _found(SAMPLER_OR_NONE, "NN106") == [(15, 25)]


def test_a_name_that_is_only_ever_none_holds_no_sampler() -> None:
    only_none = SAMPLER_OR_NONE.replace(
        "        train_sampler = torch.utils.data.distributed.DistributedSampler(train_dataset, shuffle=True)",
        "        train_sampler = None",
    )
    assert _found(only_none, "NN106") == []


def test_set_epoch_on_the_optional_sampler_is_seen() -> None:
    fixed = SAMPLER_OR_NONE.replace(
        "    for epoch in range(10):\n",
        "    for epoch in range(10):\n"
        "        if train_sampler is not None:\n"
        "            train_sampler.set_epoch(epoch)\n",
    )
    assert _found(fixed, "NN106") == []


LOADER_DICT = """import torch
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler


class Trainer:
    def __init__(self, data_loader, model, optimizer):
        self.data_loader = data_loader
        self.model = model
        self.optimizer = optimizer
        self.finish = False

    def run(self):
        while True:
            self._train_epoch()
            if self.finish:
                break

    def _train_epoch(self):
        for steps, batch in enumerate(self.data_loader["train"], 1):
            x, y = batch
            loss = self.model(x).sum()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()


def main(args, dataset, model, optimizer):
    train_sampler, dev_sampler = None, None
    if args.distributed:
        train_sampler = DistributedSampler(dataset=dataset["train"], shuffle=True)
        dev_sampler = DistributedSampler(dataset=dataset["dev"], shuffle=False)
    data_loader = {
        "train": DataLoader(dataset=dataset["train"], shuffle=not args.distributed, sampler=train_sampler),
        "dev": DataLoader(dataset=dataset["dev"], shuffle=False, sampler=dev_sampler),
    }
    trainer = Trainer(data_loader=data_loader, model=model, optimizer=optimizer)
    trainer.run()
"""


def test_a_loader_kept_in_a_dict_under_a_literal_key_is_followed() -> None:
    assert _found(LOADER_DICT, "NN106") == [(31, 25)]


def test_the_dict_item_assigned_later_is_the_one_read() -> None:
    assigned = LOADER_DICT.replace(
        '    data_loader = {\n        "train": DataLoader(dataset=dataset["train"], shuffle=not args.distributed, '
        "sampler=train_sampler),\n",
        "    data_loader = {\n",
    ).replace(
        "    trainer = Trainer(",
        '    data_loader["train"] = DataLoader(dataset["train"], sampler=train_sampler)\n    trainer = Trainer(',
    )
    assert _found(assigned, "NN106") == [(31, 25)]


def test_a_key_written_by_a_computed_subscript_is_not_guessed() -> None:
    computed = LOADER_DICT.replace(
        "    trainer = Trainer(", '    for name in ["train"]:\n        data_loader[name] = None\n    trainer = Trainer('
    )
    assert _found(computed, "NN106") == []


SCHEDULER_SUBCLASS = """import torch
from torch.optim.lr_scheduler import _LRScheduler


class WarmupLR(_LRScheduler):
    def get_lr(self):
        return [base for base in self.base_lrs]


def train(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = WarmupLR(optimizer)
    for images, targets in loader:
        scheduler.step()
        loss = model(images).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""


def test_a_project_scheduler_class_is_a_scheduler() -> None:
    assert _found(SCHEDULER_SUBCLASS, "NN404") == [(14, 9)]


def test_a_project_scheduler_stepped_after_the_optimizer_is_fine() -> None:
    fixed = SCHEDULER_SUBCLASS.replace("        scheduler.step()\n", "").replace(
        "        optimizer.step()\n", "        optimizer.step()\n        scheduler.step()\n"
    )
    assert _found(fixed, "NN404") == []


CONFIGURED_OUTPUT = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.log_softmax(self.fc(x), dim=-1)


class Recurrent(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x, h):
        return self.fc(x), h


if args.model == "Transformer":
    model = Transformer()
else:
    model = Recurrent()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def train():
    for data, targets in loader:
        if args.model == "Transformer":
            output = model(data)
        else:
            output, hidden = model(data, None)
        loss = criterion(output, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


for epoch in range(3):
    train()

with open("model.pt", "rb") as f:
    model = torch.load(f)
"""


def test_the_loss_input_of_one_configuration_is_followed() -> None:
    assert _found(CONFIGURED_OUTPUT, "NN201") == [(38, 16)]


def test_no_configuration_with_log_softmax_is_silent() -> None:
    raw = CONFIGURED_OUTPUT.replace("return F.log_softmax(self.fc(x), dim=-1)", "return self.fc(x)")
    assert _found(raw, "NN201") == []


def test_a_global_read_in_a_function_that_runs_after_its_rebinding_sees_the_rebinding() -> None:
    # train() now runs after `model = torch.load(f)` only: a loaded model, whose output is unknown
    late = CONFIGURED_OUTPUT.replace("for epoch in range(3):\n    train()\n\n", "") + "train()\n"
    assert _found(late, "NN201") == []


def test_a_source_transforming_coding_declaration_is_read_as_utf8() -> None:
    data = "# -*- coding: future_fstrings -*-\nx = f'{1}'\n".encode()
    assert decode_source(data) == "# -*- coding: future_fstrings -*-\nx = f'{1}'\n"
    findings = lint_text(data.decode() + "import torch\n", select=["NN000"])
    assert findings == []
