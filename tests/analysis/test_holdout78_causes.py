"""Causes of the misses of holdout rounds 7 and 8 (``bench/realcode/holdout7-bugs.tsv``, ``holdout8-bugs.tsv``),
each as the construct real code used, with a twin that must stay silent."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from nnlint.config import Config
from nnlint.engine import Linter

from tests.analysis.test_model import build
from tests.conftest import lint_text


def _found(source: str, code: str) -> List[Tuple[int, int]]:
    return [(f.line, f.column) for f in lint_text(source, select=[code]) if f.code == code]


SPAWNED_WORKER = """import torch
import torch.multiprocessing as mp
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler


class Trainable:
    def train(self, data):
        mp.spawn(self._do_train, nprocs=2, args=(self, data))

    @staticmethod
    def _do_train(rank, self, data):
        sampler = DistributedSampler(data, num_replicas=2, rank=rank)
        loader = DataLoader(data, batch_size=8, shuffle=False, sampler=sampler)
        for epoch in range(10):
            self._train_epoch(loader)

    def _train_epoch(self, train_loader):
        for x, y in train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.optimizer.step()
"""


def test_a_staticmethod_parameter_named_self_is_the_instance() -> None:
    # `mp.spawn(self._do_train, args=(self, ...))`: the worker's second parameter is the instance
    assert _found(SPAWNED_WORKER, "NN106") == [(13, 19)]


def test_a_staticmethod_first_parameter_is_not_the_instance() -> None:
    # with no parameter named self, `rank._train_epoch` is nothing of the class
    source = SPAWNED_WORKER.replace("(rank, self, data)", "(rank, other, data)").replace(
        "self._train_epoch(loader)", "other._train_epoch(loader)"
    )
    assert _found(source, "NN106") == []


LOADER_PER_BRANCH = """import torch
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler


def main(opt, train_set, model, optimizer):
    if opt["dist"]:
        train_sampler = DistributedSampler(train_set, shuffle=True)
        train_loader = DataLoader(train_set, batch_size=8, shuffle=False, sampler=train_sampler)
    else:
        train_loader = DataLoader(train_set, batch_size=8, shuffle=True)
    for epoch in range(100):
        for batch in train_loader:
            optimizer.zero_grad()
            model(batch).sum().backward()
            optimizer.step()
"""


def test_each_loader_a_name_may_hold_feeds_the_loop() -> None:
    assert _found(LOADER_PER_BRANCH, "NN106") == [(8, 25)]


UNSHUFFLED_ON_ONE_BRANCH = """import torch
from torch.utils.data import DataLoader
from dali import make_iterator


def train(train_loader, model, optimizer, criterion):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()


def main(config, train_data, model, optimizer, criterion):
    if config.loader == "Torch":
        train_loader = DataLoader(train_data, batch_size=64, shuffle=False)
    else:
        train_loader = make_iterator(config.path)
    for epoch in range(config.epochs):
        train(train_loader, model, optimizer, criterion)
"""


def test_a_loader_on_one_branch_reaches_a_helper_called_once() -> None:
    assert _found(UNSHUFFLED_ON_ONE_BRANCH, "NN101") == [(16, 24)]


def test_a_helper_called_with_two_loaders_is_not_judged_by_their_alternatives() -> None:
    # `train(val_loader)` and `train(train_loader)`: which one trains is the caller's business, per phase
    source = UNSHUFFLED_ON_ONE_BRANCH.replace(
        "        train(train_loader, model, optimizer, criterion)\n",
        "        train(train_loader, model, optimizer, criterion)\n"
        "        train(DataLoader(train_data, batch_size=64, shuffle=True), model, optimizer, criterion)\n",
    )
    assert _found(source, "NN101") == []


CHOSEN_SAMPLER_CLASS = """import torch
from torch.utils.data import DataLoader, RandomSampler
from torch.utils.data.distributed import DistributedSampler


def main(args, labeled, model, optimizer):
    train_sampler = RandomSampler if args.local_rank == -1 else DistributedSampler
    loader = DataLoader(labeled, sampler=train_sampler(labeled), batch_size=64, drop_last=True)
    labeled_iter = iter(loader)
    for epoch in range(args.epochs):
        for step in range(args.eval_step):
            try:
                x, y = labeled_iter.next()
            except StopIteration:
                labeled_iter = iter(loader)
                x, y = labeled_iter.next()
            optimizer.zero_grad()
            model(x).sum().backward()
            optimizer.step()
"""


def test_a_sampler_class_chosen_by_a_conditional_and_drawn_with_next_method() -> None:
    assert _found(CHOSEN_SAMPLER_CLASS, "NN106") == [(8, 42)]


def test_a_conditional_between_two_plain_samplers_is_not_distributed() -> None:
    source = CHOSEN_SAMPLER_CLASS.replace("else DistributedSampler", "else RandomSampler")
    assert _found(source, "NN106") == []


CHOSEN_LOADER_CLASS = """import torch


class InfiniteDataLoader(torch.utils.data.dataloader.DataLoader):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.iterator = super().__iter__()


def fit(dataset, model, optimizer, image_weights=False):
    sampler = None
    loader = torch.utils.data.DataLoader if image_weights else InfiniteDataLoader
    train_loader = loader(dataset, batch_size=16, sampler=sampler, pin_memory=True)
    for epoch in range(300):
        for imgs, targets in train_loader:
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(imgs), targets).backward()
            optimizer.step()
"""


def test_a_loader_class_chosen_by_a_conditional_builds_a_loader() -> None:
    assert _found(CHOSEN_LOADER_CLASS, "NN101") == [(13, 20)]


def test_a_loader_subclass_with_its_own_signature_is_not_read_as_dataloader() -> None:
    # `ShuffledLoader(dataset, 16)` may shuffle inside: its arguments are not DataLoader's
    source = CHOSEN_LOADER_CLASS.replace(
        "def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)",
        "def __init__(self, dataset, batch_size, **kwargs):\n"
        "        super().__init__(dataset, batch_size, shuffle=True)",
    )
    assert _found(source, "NN101") == []


def test_attributes_assigned_from_a_literal_tuple_hold_their_items() -> None:
    model = build(
        "import torch.nn as nn\n\n"
        "class Trainer:\n"
        "    def __init__(self, model, lr):\n"
        "        self.criterion, self.lr = nn.MSELoss(), lr\n"
        "        self.first, self.second = pair()\n"
    )
    trainer = next(cls for cls in model.classes if cls.name == "Trainer")
    criterion = trainer.attributes["criterion"][0]
    assert criterion.value is not None and model.object_of(criterion.value, criterion.scope).kind == "loss"
    assert "first" not in trainer.attributes  # unpacked from a call: which item is whose is the call's


MODE_HELPERS = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.bn = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.bn(self.fc(x))


def set_mode(mode, m):
    if mode == "train":
        m.train()
    if mode == "eval":
        m.eval()


def check_accuracy(net, loader):
    set_mode("eval", net)
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (net(x).argmax(1) == y).sum().item()
    return correct


def train_loop(train_loader, val_loader):
    net = Net()
    opt = torch.optim.Adam(net.parameters())
    set_mode("train", net)
    for epoch in range(10):
        for x, y in train_loader:
            opt.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            opt.step()
        print(check_accuracy(net, val_loader))
"""


def test_a_mode_helper_takes_the_branch_its_literal_argument_decides() -> None:
    # set_mode("eval", net) leaves net in eval mode: the evaluation is fine, the next epoch's training is not
    assert _found(MODE_HELPERS, "NN501") == []
    assert _found(MODE_HELPERS, "NN502") == [(19, 9)]


def test_a_one_line_if_body_runs_only_when_its_test_holds() -> None:
    loop = "    for epoch in range(10):\n"
    source = MODE_HELPERS.replace(loop, loop + "        if epoch > 5: net.train()\n")
    assert _found(source, "NN502") == [(19, 9)]
    # the same switch unconditional: no finding
    fixed = MODE_HELPERS.replace(loop, loop + "        net.train()\n")
    assert _found(fixed, "NN502") == []


def test_models_switched_one_by_one_in_a_helper_are_of_unknown_mode() -> None:
    # `for m in models: m.eval()`: which model is which is out of sight; no training-mode evaluation is claimed
    source = (
        MODE_HELPERS.replace(
            'def set_mode(mode, m):\n    if mode == "train":\n        m.train()\n'
            '    if mode == "eval":\n        m.eval()\n',
            "def set_eval(models):\n    for m in models:\n        m.eval()\n",
        )
        .replace('    set_mode("eval", net)\n', "    set_eval([net])\n")
        .replace('    set_mode("train", net)\n', "")
    )
    assert _found(source, "NN501") == []


HELD_OUT_BATCH = """import torch
import torch.nn as nn
import torch.nn.functional as F

net = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Linear(16, 4), nn.LogSoftmax(dim=1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
dataloader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=True)
testdataloader = torch.utils.data.DataLoader(test_set, batch_size=32, shuffle=True)
for epoch in range(10):
    for i, data in enumerate(dataloader, 0):
        points, target = data
        optimizer.zero_grad()
        pred = net(points)
        loss = F.nll_loss(pred, target)
        loss.backward()
        optimizer.step()
        if i % 10 == 0:
            j, data = next(enumerate(testdataloader, 0))
            points, target = data
            points, target = points.cuda(), target.cuda()
            pred = net(points)
            loss = F.nll_loss(pred, target)
            print(loss.item(), pred.max(1)[1].eq(target).sum().item())
"""


def test_a_batch_of_another_loader_scored_inside_the_training_loop_is_an_evaluation() -> None:
    assert _found(HELD_OUT_BATCH, "NN501") == [(21, 20)]


def test_a_batch_of_another_loader_that_is_backpropagated_is_training() -> None:
    # a second domain's batch (domain adaptation) feeds the loss: training, not evaluation
    source = HELD_OUT_BATCH.replace(
        "            print(loss.item(), pred.max(1)[1].eq(target).sum().item())\n",
        "            loss.backward()\n            optimizer.step()\n",
    )
    assert _found(source, "NN501") == []


def test_a_second_look_at_the_training_batch_is_not_a_held_out_evaluation() -> None:
    source = HELD_OUT_BATCH.replace("next(enumerate(testdataloader, 0))", "next(enumerate(dataloader, 0))")
    assert _found(source, "NN501") == []


def test_absolute_imports_resolve_below_a_checkout_with_an_init_at_its_root(tmp_path: Path) -> None:
    # repo/__init__.py, repo/pkg/__init__.py: `from pkg.trainer import Trainer` starts at repo/
    package = tmp_path / "repo" / "pkg"
    package.mkdir(parents=True)
    (tmp_path / "repo" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "trainer.py").write_text(
        "import torch\n\n\n"
        "class Trainer:\n"
        "    def __init__(self, model, criterion, optimizer, loader):\n"
        "        self.model, self.criterion = model, criterion\n"
        "        self.optimizer, self.loader = optimizer, loader\n\n"
        "    def fit(self):\n"
        "        for x, y in self.loader:\n"
        "            self.optimizer.zero_grad()\n"
        "            loss = self.criterion(self.model(x), y)\n"
        "            loss.backward()\n"
        "            self.optimizer.step()\n"
    )
    (package / "run.py").write_text(
        "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader, TensorDataset\n"
        "from pkg.trainer import Trainer\n\n"
        "loader = DataLoader(TensorDataset(torch.randn(64, 4), torch.randn(64, 1)), batch_size=8, shuffle=True)\n"
        "model = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())\n"
        "Trainer(model, nn.MSELoss(), torch.optim.Adam(model.parameters()), loader).fit()\n"
    )
    findings = Linter(Config(select=["NN202"])).lint_paths([str(tmp_path / "repo")])
    assert [(Path(f.path).name, f.line, f.column) for f in findings] == [("trainer.py", 12, 20)]


STEP_WRAPPER = """import torch


class OptimizerScheduler:
    def __init__(self, optimizer, scheduler):
        self.optimizer = optimizer
        self.scheduler = scheduler

    def step(self):
        self.scheduler.step()
        self.optimizer.step()


def create_optimizer(model, steps):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    return OptimizerScheduler(optimizer, scheduler)
"""


def test_a_function_that_steps_the_scheduler_first_does_so_in_every_call() -> None:
    assert _found(STEP_WRAPPER, "NN404") == [(10, 9)]


def test_a_function_that_steps_the_optimizer_first_is_silent() -> None:
    swapped = STEP_WRAPPER.replace(
        "        self.scheduler.step()\n        self.optimizer.step()\n",
        "        self.optimizer.step()\n        self.scheduler.step()\n",
    )
    assert _found(swapped, "NN404") == []
    # a step the caller numbers (`step(epoch)`) is the caller's business
    assert _found(STEP_WRAPPER.replace("self.scheduler.step()", "self.scheduler.step(self.epoch)"), "NN404") == []


FLATTENED_AXES = """import torch.nn as nn


class Encoder(nn.Module):
    def forward(self, images):
        encoded = self.resnet(images)
        batch_size = encoded.shape[0]
        features = encoded.shape[1]
        num_pixels = encoded.shape[2] * encoded.shape[3]
        return encoded.view(batch_size, num_pixels, features)
"""


def test_axes_flattened_into_one_size_keep_their_place_in_the_order() -> None:
    # (B, C, H, W) viewed as (B, H*W, C): the channel axis was meant to move, a permute is missing
    assert _found(FLATTENED_AXES, "NN102") == [(10, 16)]


def test_axes_flattened_in_their_own_order_are_silent() -> None:
    source = FLATTENED_AXES.replace("view(batch_size, num_pixels, features)", "view(batch_size, features, num_pixels)")
    assert _found(source, "NN102") == []


FRAME_COLUMNS = """import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class Ratings(Dataset):
    def __init__(self, data):
        self.users = torch.LongTensor(data["user"].values)
        self.ratings = torch.FloatTensor(data["rating"].values)

    def __len__(self):
        return len(self.ratings)

    def __getitem__(self, index):
        return self.users[index], self.ratings[index]


model = nn.Sequential(nn.Embedding(100, 8), nn.Linear(8, 1))
optimizer = torch.optim.Adam(model.parameters())
loader = DataLoader(Ratings(pd.read_csv("ratings.csv").dropna()), batch_size=32, shuffle=True)
for users, ratings in loader:
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(users), ratings)
    loss.backward()
    optimizer.step()
"""


def test_a_data_frame_column_is_one_value_per_row() -> None:
    # (B, 1) predictions against (B,) ratings: broadcast to (B, B)
    assert _found(FRAME_COLUMNS, "NN305") == [(24, 12)]


def test_a_column_of_something_that_is_not_a_data_frame_has_no_shape() -> None:
    source = FRAME_COLUMNS.replace('pd.read_csv("ratings.csv").dropna()', "load_ratings()")
    assert _found(source, "NN305") == []
    squeezed = FRAME_COLUMNS.replace("model(users), ratings)", "model(users).squeeze(1), ratings)")
    assert _found(squeezed, "NN305") == []


def test_the_order_of_the_factors_of_a_flattened_size_does_not_matter() -> None:
    # a Gram matrix: (b, ch, h, w) viewed as (b, ch, w * h) flattens the spatial axes in place
    source = "import torch\n\n\ndef gram_matrix(y):\n    (b, ch, h, w) = y.size()\n    return y.view(b, ch, w * h)\n"
    assert _found(source, "NN102") == []
    assert _found(source.replace("view(b, ch, w * h)", "view(b, w * h, ch)"), "NN102") == [(6, 12)]
