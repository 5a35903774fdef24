"""NN101: training loaders found through helpers, attributes, enumerate/tqdm and next(); evaluation
loaders, samplers, variable shuffle flags and streams stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import codes, lint_text

HEADER = """
import torch
from torch.utils.data import DataLoader, TensorDataset, IterableDataset, Dataset
ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))
"""

TRAIN = """
    optimizer.zero_grad()
    loss = criterion(model(xb), yb)
    loss.backward()
    optimizer.step()
"""


def nn101(body: str):
    return codes(lint_text(HEADER + body, select=["NN101"]))


@pytest.mark.parametrize(
    "body",
    [
        "loader = DataLoader(ds, batch_size=8)\nfor xb, yb in loader:" + TRAIN,
        "loader = DataLoader(ds, 8, False)\nfor step, (xb, yb) in enumerate(loader):" + TRAIN,
        "from tqdm import tqdm\nloader = DataLoader(ds, batch_size=8, shuffle=None)\nfor xb, yb in tqdm(loader):"
        + TRAIN,
        # iter/next in a step loop
        "loader = DataLoader(ds, batch_size=8)\nbatches = iter(loader)\nfor step in range(10):\n"
        "    xb, yb = next(batches)" + TRAIN,
        # a helper returning two loaders, the training one reaching a function through a parameter
        """
def make_loaders():
    return DataLoader(ds, batch_size=8), DataLoader(ds, batch_size=32)

def train_one_epoch(loader):
    for xb, yb in loader:
        optimizer.zero_grad()
        criterion(model(xb), yb).backward()
        optimizer.step()

train_loader, val_loader = make_loaders()
train_one_epoch(train_loader)
""",
        # a data set whose class is out of sight (a parameter, a hub dataset) read for several epochs
        "def fit(train_set):\n    loader = DataLoader(train_set, batch_size=8)\n    for epoch in range(3):\n"
        "        for xb, yb in loader:" + TRAIN.replace("\n    ", "\n            "),
        "def one_epoch(loader):\n    for xb, yb in loader:"
        + TRAIN.replace("\n    ", "\n        ")
        + "def fit(train_set):\n    for epoch in range(3):\n        one_epoch(DataLoader(train_set, batch_size=8))\n",
        "from datasets import load_dataset\nloader = DataLoader(load_dataset('x', split='train'), batch_size=8)\n"
        "for epoch in range(2):\n    for xb, yb in loader:" + TRAIN.replace("\n    ", "\n        "),
        # a user map-style dataset
        """
class Pairs(Dataset):
    def __len__(self):
        return 10
    def __getitem__(self, i):
        return torch.randn(4), 0

loader = DataLoader(Pairs(), batch_size=2)
for xb, yb in loader:"""
        + TRAIN,
    ],
)
def test_unshuffled_training_loader_is_flagged(body: str) -> None:
    assert nn101(body) == ["NN101"]


@pytest.mark.parametrize(
    "body",
    [
        # evaluation only
        "val = DataLoader(ds, batch_size=8)\nmodel.eval()\nwith torch.no_grad():\n    for xb, yb in val:\n"
        "        model(xb)\n",
        # shuffle / sampler / batch_sampler
        "loader = DataLoader(ds, batch_size=8, shuffle=True)\nfor xb, yb in loader:" + TRAIN,
        "from torch.utils.data import RandomSampler\n"
        "loader = DataLoader(ds, batch_size=8, sampler=RandomSampler(ds))\nfor xb, yb in loader:" + TRAIN,
        "loader = DataLoader(ds, batch_sampler=my_batches)\nfor xb, yb in loader:" + TRAIN,
        # the flag is a variable
        "def make(is_train):\n    return DataLoader(ds, batch_size=8, shuffle=is_train)\nloader = make(True)\n"
        "for xb, yb in loader:" + TRAIN,
        # **kwargs may carry shuffle
        "kwargs = {'shuffle': True}\nloader = DataLoader(ds, batch_size=8, **kwargs)\nfor xb, yb in loader:" + TRAIN,
        # an IterableDataset stream
        """
class Stream(IterableDataset):
    def __iter__(self):
        yield torch.randn(4), 0

loader = DataLoader(Stream(), batch_size=2)
for xb, yb in loader:"""
        + TRAIN,
        # a data set out of sight read in a single pass (a throughput benchmark, a demo): too little to go on
        "def bench(train_set):\n    loader = DataLoader(train_set, batch_size=8)\n    for xb, yb in loader:"
        + TRAIN.replace("\n    ", "\n        "),
        # a streaming hub dataset and a torchtext datapipe cannot be shuffled by the loader
        "from datasets import load_dataset\nloader = DataLoader(load_dataset('x', split='train', streaming=True), "
        "batch_size=8)\nfor xb, yb in loader:" + TRAIN,
        "from torchtext.datasets import Multi30k\nloader = DataLoader(Multi30k(split='train'), batch_size=8)\n"
        "for xb, yb in loader:" + TRAIN,
        # one helper runs both training and evaluation loaders: the parameter is ambiguous
        """
def run(loader, train):
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        if train:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

run(DataLoader(ds, batch_size=8, shuffle=True), True)
run(DataLoader(ds, batch_size=8), False)
""",
        # a validation batch drawn with next() in the epoch loop around the training loop
        """
train = DataLoader(ds, batch_size=8, shuffle=True)
val = DataLoader(ds, batch_size=8)
for epoch in range(2):
    for xb, yb in train:"""
        + TRAIN.replace("\n    ", "\n        ")
        + """
    xb, yb = next(iter(val))
    print(model(xb).argmax(1).eq(yb).float().mean())
""",
    ],
)
def test_look_alikes_are_silent(body: str) -> None:
    assert nn101(body) == []


def test_loader_built_in_another_file_is_reported_at_the_loop_and_at_its_construction(tmp_path: Path) -> None:
    (tmp_path / "data.py").write_text(
        "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n\n"
        "def make_loader():\n"
        "    ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))\n"
        "    return DataLoader(ds, batch_size=8)\n"
    )
    (tmp_path / "train.py").write_text(
        "from data import make_loader\n\nloader = make_loader()\nfor xb, yb in loader:" + TRAIN
    )
    findings = Linter(Config(select=["NN101"])).lint_paths([str(tmp_path)])
    assert sorted((Path(f.path).name, f.code, f.line, f.column) for f in findings) == [
        ("data.py", "NN101", 6, 12),
        ("train.py", "NN101", 4, 15),
    ]
    by_file = {Path(f.path).name: f.message for f in findings}
    assert "built at data.py:6" in by_file["train.py"]
    assert "the training loop at train.py:4" in by_file["data.py"]


def test_a_factory_loader_only_evaluated_by_its_callers_is_silent(tmp_path: Path) -> None:
    (tmp_path / "data.py").write_text(
        "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n\n"
        "def make_loader():\n"
        "    ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))\n"
        "    return DataLoader(ds, batch_size=8), ds\n"
    )
    (tmp_path / "evaluate.py").write_text(
        "import torch\nfrom data import make_loader\n\nloader, _ = make_loader()\nwith torch.no_grad():\n"
        "    for xb, yb in loader:\n        print(model(xb).argmax(1).eq(yb).float().mean())\n"
    )
    assert Linter(Config(select=["NN101"])).lint_paths([str(tmp_path)]) == []


LIGHTNING = """
import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset


class DataModule(L.LightningDataModule):
    def setup(self, stage=None):
        self.train_set = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))
        self.val_set = TensorDataset(torch.randn(16, 4), torch.randint(0, 2, (16,)))

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=8{shuffle})

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=8)
"""


@pytest.mark.parametrize("shuffle,expected", [("", ["NN101"]), (", shuffle=False", ["NN101"]), (", shuffle=True", [])])
def test_lightning_train_dataloader_hook(shuffle: str, expected) -> None:
    assert codes(lint_text(LIGHTNING.replace("{shuffle}", shuffle), select=["NN101"])) == expected


def test_a_sampler_that_is_none_on_the_single_gpu_branch_is_reported() -> None:
    from tests.conftest import lint_text

    findings = lint_text(
        """
        import torch
        from torch.utils.data import DataLoader, DistributedSampler

        train_sampler = DistributedSampler(trainset) if num_gpus > 1 else None
        train_loader = DataLoader(trainset, shuffle=False, sampler=train_sampler, batch_size=8)
        for epoch in range(10):
            for batch in train_loader:
                optimizer.zero_grad()
                model(batch).mean().backward()
                optimizer.step()
        """,
        select=["NN101"],
    )
    assert [(f.line, f.column) for f in findings] == [(6, 16)]
    assert "without shuffle=True or a sampler (its sampler is None on some paths): every epoch" in findings[0].message


def test_shuffle_when_the_sampler_is_none_is_silent() -> None:
    from tests.conftest import lint_text

    findings = lint_text(
        """
        import torch
        from torch.utils.data import DataLoader, DistributedSampler

        sampler = DistributedSampler(trainset) if distributed else None
        train_loader = DataLoader(trainset, shuffle=(sampler is None), sampler=sampler)
        for batch in train_loader:
            optimizer.zero_grad()
            model(batch).mean().backward()
            optimizer.step()
        """,
        select=["NN101"],
    )
    assert findings == []


def test_a_loader_iterated_through_a_progress_bar_object() -> None:
    from tests.conftest import lint_text

    findings = lint_text(
        """
        import torch
        from tqdm import tqdm
        from torch.utils.data import DataLoader, TensorDataset

        loader = DataLoader(TensorDataset(x, y), batch_size=16)
        progress = tqdm(loader, desc="Training")
        for xb, yb in progress:
            optimizer.zero_grad()
            criterion(model(xb), yb).backward()
            optimizer.step()
        """,
        select=["NN101"],
    )
    assert [(f.line, f.column) for f in findings] == [(6, 10)]


def test_the_training_part_of_a_split_returned_for_another_module() -> None:
    from tests.conftest import lint_text

    source = """
        from torch.utils.data import DataLoader, random_split

        def get_dataset(full_dataset, batch_size=2):
            train_subset, val_subset = random_split(full_dataset, [0.95, 0.05])
            train_dataloader = DataLoader(train_subset, batch_size=batch_size)
            val_dataloader = DataLoader(val_subset, batch_size=batch_size)
            return train_subset, train_dataloader, val_subset, val_dataloader
        """
    findings = lint_text(source, select=["NN101"])
    assert [(f.line, f.column) for f in findings] == [(6, 24)]
    fixed = source.replace(
        "DataLoader(train_subset, batch_size=batch_size)",
        "DataLoader(train_subset, batch_size=batch_size, shuffle=True)",
    )
    assert lint_text(fixed, select=["NN101"]) == []


# --- pinned by mutation testing (bench/mutation.py): message, evidence, fix, de-duplication, data set styles


def test_the_whole_message_the_evidence_and_the_fix_of_a_local_loader() -> None:
    findings = lint_text(
        """
        import torch
        from torch.utils.data import DataLoader, TensorDataset

        loader = DataLoader(TensorDataset(x, y), batch_size=8)
        for epoch in range(3):
            for xb, yb in loader:
                optimizer.zero_grad()
                criterion(model(xb), yb).backward()
                optimizer.step()
        """,
        select=["NN101"],
    )
    assert [(f.line, f.column) for f in findings] == [(5, 10)]
    assert findings[0].message == (
        "this DataLoader feeds the training loop at line 7 without shuffle=True or a sampler: every epoch sees "
        "the samples in the same (often class-sorted) order"
    )
    assert findings[0].evidence == {"feeds": "the training loop at line 7"}
    assert findings[0].fix is not None and "shuffle=True" in findings[0].fix.edits[0].replacement


def test_a_loader_that_feeds_two_training_loops_is_reported_once() -> None:
    body = "loader = DataLoader(ds, batch_size=8)\nfor xb, yb in loader:" + TRAIN + "for xb, yb in loader:" + TRAIN
    findings = lint_text(HEADER + body, select=["NN101"])
    assert [(f.line, f.code) for f in findings] == [(5, "NN101")]
    assert "the training loop at line 6" in findings[0].message


def test_a_synthetic_data_set_of_random_samples_is_silent() -> None:
    body = (
        """
class RandomPairs(Dataset):
    def __len__(self):
        return 10
    def __getitem__(self, i):
        return torch.randn(4), torch.randint(0, 2, ())

loader = DataLoader(RandomPairs(), batch_size=2)
for xb, yb in loader:"""
        + TRAIN
    )
    assert nn101(body) == []
    assert nn101(body.replace("torch.randint(0, 2, ())", "0")) == ["NN101"]  # the label is fixed: map-style


def test_lightning_hook_message_and_location() -> None:
    findings = lint_text(LIGHTNING.replace("{shuffle}", ""), select=["NN101"])
    assert [(f.line, f.column) for f in findings] == [(13, 16)]
    assert "feeds training (returned by train_dataloader) without shuffle=True" in findings[0].message
    assert findings[0].fix is not None


def test_lightning_hook_returning_a_loader_of_another_file(tmp_path: Path) -> None:
    (tmp_path / "data.py").write_text(
        "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n\n"
        "def make_loader():\n"
        "    ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))\n"
        "    return DataLoader(ds, batch_size=8)\n"
    )
    (tmp_path / "module.py").write_text(
        "import lightning as L\nfrom data import make_loader\n\n\n"
        "class DataModule(L.LightningDataModule):\n"
        "    def train_dataloader(self):\n"
        "        return make_loader()\n"
    )
    findings = Linter(Config(select=["NN101", "NN002"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.code, f.line, f.column) for f in findings] == [("module.py", "NN101", 7, 16)]
    assert "(built at data.py:6" in findings[0].message and findings[0].fix is None


def test_the_loop_and_message_of_a_loader_built_in_another_file(tmp_path: Path) -> None:
    (tmp_path / "data.py").write_text(
        "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n\n"
        "def make_loader():\n"
        "    ds = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))\n"
        "    return DataLoader(ds, batch_size=8)\n"
    )
    (tmp_path / "train.py").write_text(
        "from data import make_loader\n\nloader = make_loader()\nfor xb, yb in loader:" + TRAIN
    )
    findings = Linter(Config(select=["NN101", "NN002"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.code, f.line, f.column) for f in findings] == [
        ("data.py", "NN101", 6, 12),
        ("train.py", "NN101", 4, 15),
    ]
    # the factory may build evaluation loaders too: neither finding offers to change it
    assert [f.fix for f in findings] == [None, None]
    assert "feeds the training loop at line 4 without" in findings[1].message


def test_the_split_message_and_an_unknown_split_left_alone() -> None:
    split = """
        from torch.utils.data import DataLoader, random_split

        def get(data):
            train_part, val_part = random_split(data, [0.9, 0.1])
            train_loader = DataLoader(train_part, batch_size=2)
            return train_part, train_loader
        """
    findings = lint_text(split, select=["NN101"])
    assert [(f.line, f.column) for f in findings] == [(6, 20)]
    assert "feeds training elsewhere (the training part of a split, returned by get) without" in findings[0].message
    # train_test_split of data out of sight: the loader is read once, as far as this file shows
    unknown = split.replace(
        "from torch.utils.data import DataLoader, random_split",
        "from torch.utils.data import DataLoader\n        from sklearn.model_selection import train_test_split",
    )
    unknown = unknown.replace("random_split(data, [0.9, 0.1])", "train_test_split(data)")
    assert lint_text(unknown, select=["NN101"]) == []
