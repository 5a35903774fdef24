"""NN401: fixed-threshold clipping through aliases, constants, parameters, Lightning and Accelerate;
opt-in clipping and configured thresholds stay silent."""

from __future__ import annotations

import pytest

from tests.conftest import codes, lint_text


def nn401(source: str):
    return codes(lint_text(source, select=["NN401"]))


@pytest.mark.parametrize(
    "source",
    [
        # aliased import, keyword threshold
        """
        from torch.nn.utils import clip_grad_norm_ as clip
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            clip(model.parameters(), max_norm=5.0)
            optimizer.step()
        """,
        # module constant through `import torch.nn as nn`
        """
        import torch.nn as nn
        MAX_NORM = 1.0
        def step(model, optimizer, loss):
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
            optimizer.step()
        """,
        # the internal module path
        """
        import torch
        torch.nn.utils.clip_grad.clip_grad_value_(model.parameters(), 0.1)
        """,
        # a parameter whose default every caller keeps
        """
        import torch
        def train(model, loader, optimizer, max_norm=1.0):
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
                optimizer.step()
        train(model, loader, optimizer)
        """,
        # clipping inside an accumulation branch is still unconditional
        """
        import torch
        for i, (x, y) in enumerate(loader):
            (criterion(model(x), y) / 4).backward()
            if (i + 1) % 4 == 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
        """,
        # Lightning and Accelerate
        """
        import lightning as L
        trainer = L.Trainer(max_epochs=3, gradient_clip_val=0.5)
        """,
        """
        from accelerate import Accelerator
        accelerator = Accelerator()
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(model.parameters(), 1.0)
        """,
    ],
)
def test_fixed_clipping_is_flagged(source: str) -> None:
    assert nn401(source) == ["NN401"]


@pytest.mark.parametrize(
    "source",
    [
        # threshold from the command line, applied unconditionally: the user has a knob
        """
        import torch
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        """,
        # opt-in flag guarding a literal threshold
        """
        import torch
        if args.clip_grad:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        """,
        # threshold parameter tested before use
        """
        import torch
        def train(model, max_norm=0.0):
            if max_norm > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        train(model)
        """,
        # config dictionary lookup in the guard
        """
        import torch
        if cfg["max_grad_norm"] is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["max_grad_norm"])
        """,
        # callers disagree: configurable
        """
        import torch
        def step(model, max_norm):
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        step(model, 1.0)
        step(model, args.max_norm)
        """,
        # Lightning clipping off by default / configured
        """
        import pytorch_lightning as pl
        trainer = pl.Trainer(max_epochs=3, gradient_clip_val=args.clip)
        other = pl.Trainer(max_epochs=3)
        """,
        # an unrelated function that happens to be called clip_grad_norm_
        """
        def clip_grad_norm_(params, value):
            return params
        clip_grad_norm_(model.parameters(), 1.0)
        """,
    ],
)
def test_configurable_or_opt_in_clipping_is_silent(source: str) -> None:
    assert nn401(source) == []


# --------------------------------------------- pinned by mutation testing (bench/mutation.py)
def _nn401(source: str):
    return lint_text(source, select=["NN401"])


@pytest.mark.parametrize(
    "source,where,what,value",
    [
        (
            "import torch\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)\n",
            (2, 1),
            "clip_grad_norm_",
            5.0,
        ),
        ("import torch\ntorch.nn.utils.clip_grad_norm(model.parameters(), 2)\n", (2, 1), "clip_grad_norm", 2),
        (
            "import torch\ntorch.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.25)\n",
            (2, 1),
            "clip_grad_value_",
            0.25,
        ),
        (
            "import lightning as L\ntrainer = L.Trainer(gradient_clip_val=0.5)\n",
            (2, 11),
            "Trainer(gradient_clip_val=...)",
            0.5,
        ),
        (
            "from transformers import TrainingArguments\nargs = TrainingArguments('out', max_grad_norm=1.0)\n",
            (2, 8),
            "TrainingArguments(max_grad_norm=...)",
            1.0,
        ),
        (
            "from accelerate import Accelerator\naccelerator = Accelerator()\n"
            "accelerator.clip_grad_value_(model.parameters(), 3.0)\n",
            (3, 1),
            "accelerator.clip_grad_value_",
            3.0,
        ),
    ],
)
def test_message_location_and_evidence_of_each_api(source: str, where, what: str, value: float) -> None:
    findings = _nn401(source)
    assert [(f.line, f.column) for f in findings] == [where]
    assert findings[0].message == (
        f"{what} clips every step at a fixed threshold {value:g}: it hides a learning rate that is too high; "
        "find the largest stable rate first, then clip only behind an option that defaults to off"
    )
    assert findings[0].evidence == {"threshold": value}


@pytest.mark.parametrize(
    "source",
    [
        "import torch\ntorch.nn.utils.clip_grad_norm_(model.parameters(), 0.0)\n",  # a threshold of 0: not a clipping
        "import torch\ntorch.nn.utils.clip_grad_norm_(model.parameters(), -1)\n",
        "import torch\ntorch.nn.utils.clip_grad_norm_(model.parameters())\n",  # no threshold written
        "import torch\nwhile use_clipping:\n    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n    break\n",
        "import torch\nnorm = 1.0 if self.clip else None\n"
        "x = torch.nn.utils.clip_grad_norm_(p, 1.0) if self.grad_norm_on else None\n",
        "from accelerate import Accelerator\naccelerator = Accelerator()\n"
        "accelerator.clip_grad_norm_(model.parameters())\n",
        "helper = Helper()\nhelper.clip_grad_norm_(model.parameters(), 1.0)\n",  # not an Accelerator
        "import torch\ndef train(model, max_norm=1.0):\n"
        "    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n",  # no caller
        "import torch\ndef train(model, norm=1.0):\n    if norm:\n"
        "        torch.nn.utils.clip_grad_norm_(model.parameters(), norm)\ntrain(m)\n",
    ],
)
def test_no_fixed_positive_threshold_or_an_opt_in_is_silent(source: str) -> None:
    assert _nn401(source) == []


def test_a_guard_outside_the_clipping_function_does_not_make_it_optional() -> None:
    source = (
        "import torch\ndef step(model):\n    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
        "if args.clip:\n    step(model)\n"
    )
    assert [(f.line, f.column) for f in _nn401(source)] == [(3, 5)]


def test_a_threshold_parameter_every_caller_passes_the_same_literal() -> None:
    source = (
        "import torch\ndef step(model, max_norm):\n    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
        "step(a, 2.0)\nstep(b, max_norm=2.0)\n"
    )
    findings = _nn401(source)
    assert [(f.line, f.column) for f in findings] == [(3, 5)]
    assert findings[0].evidence == {"threshold": 2.0}
    assert _nn401(source.replace("step(b, max_norm=2.0)", "step(b, max_norm=3.0)")) == []
    assert _nn401(source.replace("step(b, max_norm=2.0)", "step(b)")) == []


def test_the_threshold_parameter_is_the_binding_at_the_clipping() -> None:
    # `max_norm` is rebound after the clipping: the clipping still reads the parameter
    source = (
        "import torch\ndef step(model, max_norm):\n    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
        "    max_norm = max_norm * 0.9\nstep(a, 2.0)\n"
    )
    assert [(f.line, f.column, f.evidence) for f in _nn401(source)] == [(3, 5, {"threshold": 2.0})]


def test_an_unbound_threshold_name_is_silent() -> None:
    assert _nn401("import torch\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n") == []


def test_a_guard_keyed_by_a_string_naming_the_threshold() -> None:
    source = (
        "import torch\ndef step(model, norm=1.0):\n    if opts['norm']:\n"
        "        torch.nn.utils.clip_grad_norm_(model.parameters(), norm)\nstep(m)\n"
    )
    assert _nn401(source) == []
    assert [f.line for f in _nn401(source.replace("opts['norm']", "opts['other']"))] == [4]
    assert _nn401("import torch\nif cfg['clip']:\n    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n") == []


def test_a_function_local_import_and_an_accelerator_keyword_threshold() -> None:
    local = "def step(p):\n    from torch.nn.utils import clip_grad_norm_ as clip\n    clip(p, 1.0)\n"
    assert [(f.line, f.column) for f in _nn401(local)] == [(3, 5)]
    keyword = (
        "from accelerate import Accelerator\naccelerator = Accelerator()\n"
        "accelerator.clip_grad_norm_(params, max_norm=2.0)\n"
    )
    assert [(f.line, f.evidence) for f in _nn401(keyword)] == [(3, {"threshold": 2.0})]


def test_a_skipped_clipping_does_not_stop_the_search_and_any_guard_expression_is_read() -> None:
    source = (
        "import torch\nif get_args().clip_grad:\n    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"
        "torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)\n"
    )
    assert [(f.line, f.column, f.evidence) for f in _nn401(source)] == [(4, 1, {"threshold": 0.5})]


# --------------------------------------------- recurrent and attention models clip on purpose
_CLIP_LOOP = """
import torch
from torch import nn
{model}
model = {build}
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
"""

_GRU = """
class CharRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(8, 8)
"""
_ATTENTION = """
import torch.nn.functional as F
class Attention(nn.Module):
    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v)
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList()
        for _ in range(2):
            self.blocks.append(Block())
"""
_MLP = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
"""


@pytest.mark.parametrize(
    "model,build",
    [
        (_GRU, "CharRNN()"),
        (_ATTENTION, "GPT()"),  # attention found two user classes deep, through a ModuleList filled by append
        ("", "nn.LSTM(8, 8)"),
        ("from transformers import AutoModelForCausalLM", "AutoModelForCausalLM.from_pretrained('gpt2')"),
        ("from x_transformers import TransformerWrapper", "TransformerWrapper()"),
    ],
)
def test_clipping_a_recurrent_or_attention_model_is_silent(model: str, build: str) -> None:
    assert _nn401(_CLIP_LOOP.format(model=model, build=build)) == []


@pytest.mark.parametrize(
    "model,build",
    [
        (_MLP, "Net()"),
        ("", "nn.Linear(8, 2)"),
        ("from somewhere import make_model", "make_model()"),  # out of sight: still reported
    ],
)
def test_clipping_another_or_unknown_model_is_reported(model: str, build: str) -> None:
    source = _CLIP_LOOP.format(model=model, build=build)
    line = source.splitlines().index("    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)") + 1
    assert [(f.line, f.column) for f in _nn401(source)] == [(line, 5)]


def test_a_params_variable_is_followed_to_its_model() -> None:
    source = _CLIP_LOOP.format(model=_GRU, build="CharRNN()").replace(
        "clip_grad_norm_(model.parameters(), 1.0)", "clip_grad_norm_(params, 1.0)"
    )
    source = source.replace("for x, y in loader:", "params = model.parameters()\nfor x, y in loader:")
    assert _nn401(source) == []
    assert len(_nn401(source.replace("CharRNN()", "nn.Linear(8, 2)"))) == 1


_LIGHTNING = """
import lightning as L
from torch import nn
class LitModel(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = {layer}
trainer = L.Trainer(gradient_clip_val=0.25, max_epochs=3)
trainer.fit(LitModel(), train_loader)
"""


def test_lightning_clipping_is_judged_by_the_fitted_model() -> None:
    assert _nn401(_LIGHTNING.format(layer="nn.TransformerEncoderLayer(16, 2)")) == []
    findings = _nn401(_LIGHTNING.format(layer="nn.Linear(16, 2)"))
    assert [(f.line, f.column) for f in findings] == [(8, 11)]
