"""The shape analysis behind NN305: what shape an expression is given, written as the rule's messages show
it ("(N, 1)", "(..., k)"), and the broadcasting algebra."""

from __future__ import annotations

import textwrap
from typing import Optional

import libcst as cst
import pytest

from nnlint.analysis.batch_shapes import tensor_shape
from nnlint.analysis.dims import ANY, Size, TensorShape, batch_size, broadcast, expansion, known
from nnlint.analysis.model import SemanticModel

HEADER = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical, Independent, MultivariateNormal, Normal
from torch.utils.data import DataLoader, TensorDataset
"""


def shape(body: str) -> Optional[str]:
    """The shape of the argument of the last ``probe(...)`` call of the snippet."""
    source = HEADER + textwrap.dedent(body)
    model = SemanticModel(cst.parse_module(source))
    call = [c for c in model.calls if isinstance(c.node.func, cst.Name) and c.node.func.value == "probe"][-1]
    found = tensor_shape(model, call.node.args[0].value, call.scope)
    return found.describe() if found is not None else None


@pytest.mark.parametrize(
    "body,expected",
    [
        ("x = torch.randn(8, 3)\nprobe(x.sum(-1, keepdim=True))", "(8, 1)"),
        ("x = torch.randn(8, 3)\nprobe(x.mean(dim=1))", "(8,)"),
        ("x = torch.randn(8, 3)\nprobe(x.sum())", "()"),
        ("x = torch.randn(8, 3)\nprobe(x[:, 0:1])", "(8, 1)"),
        ("x = torch.randn(8, 3)\nprobe(x[:, None, 2])", "(8, 1)"),
        ("x = torch.randn(8, 3, 5)\nprobe(x[..., 0])", "(8, 3)"),
        ("x = torch.randn(8, 3)\nprobe(x.max(1)[0])", "(8,)"),
        ("x = torch.randn(8, 3)\nvalues, index = x.max(dim=1)\nprobe(index)", "(8,)"),
        ("x = torch.randn(8, 1)\nprobe(x.squeeze(1) * 2 + 1)", "(8,)"),
        ("x = torch.randn(8, 1)\ny = torch.randn(8)\nprobe(x - y)", "(8, 8)"),
        ("a = torch.randn(8, 1)\nb = torch.randn(8, 4)\nprobe(torch.min(a, b))", "(8, 4)"),
        ("probe(torch.tensor(0.5))", "()"),
        ("x = torch.randn(8, 3)\nprobe(torch.zeros_like(x).t())", "(3, 8)"),
        # a tensor of unknown shape keeps the other side's axes that are not 1
        ("x = torch.randn(8, 4)\nprobe(unknown() * x)", "(..., 8, 4)"),
        ("x = torch.randn(8, 1)\nprobe(unknown() * x)", "(..., 8, ?)"),
        ("x = torch.randn(8, 1)\nprobe(unknown() + unknown())", None),
    ],
)
def test_tensor_expressions(body: str, expected: Optional[str]) -> None:
    assert shape(body) == expected


@pytest.mark.parametrize(
    "body,expected",
    [
        ("probe(nn.Linear(10, 1)(unknown()))", "(..., 1)"),
        ("x = torch.randn(8, 10)\nprobe(nn.Sequential(nn.Linear(10, 4), nn.ReLU(), nn.Dropout(0.1))(x))", "(8, 4)"),
        ("x = torch.randn(8, 3, 32, 32)\nprobe(nn.Conv2d(3, 1, 3)(x))", "(8, 1, ?, ?)"),
        ("x = torch.randint(0, 100, (8, 20))\nprobe(nn.Embedding(100, 16)(x))", "(8, 20, 16)"),
        (
            """
            class Heads(nn.Module):
                def __init__(self, width):
                    super().__init__()
                    self.value = nn.Linear(32, 1)
                    self.policy = nn.Linear(32, width)
                def forward(self, h):
                    return self.policy(h), self.value(h)
            net = Heads(6)
            logits, value = net(unknown())
            probe(logits)
            """,
            "(..., 6)",
        ),
        (
            """
            class Model(nn.Module):
                def __init__(self, width):
                    super().__init__()
                    self.out = nn.Linear(32, width)
                def forward(self, h):
                    return self.out(h)
            def build(width):
                return Model(width)
            a = build(cfg.width)
            b = build(cfg.other)
            probe(a(unknown()))
            """,
            "(..., width)",
        ),
    ],
)
def test_layer_and_model_outputs(body: str, expected: str) -> None:
    assert shape(body) == expected


@pytest.mark.parametrize(
    "body,expected",
    [
        ("mu = torch.randn(8, 3)\nprobe(Normal(mu, 1.0).log_prob(torch.randn(8, 3)))", "(8, 3)"),
        ("mu = torch.randn(8, 3)\nd = Normal(mu, mu.exp())\nprobe(d.rsample())", "(8, 3)"),
        ("mu = torch.randn(8, 3)\nd = Independent(Normal(mu, 1.0), 1)\nprobe(d.log_prob(d.sample()))", "(8,)"),
        ("mu = torch.randn(8, 3)\nprobe(MultivariateNormal(mu, torch.eye(3)).log_prob(unknown()))", "(..., 8)"),
        ("logits = torch.randn(8, 5)\nprobe(Categorical(logits=logits).log_prob(torch.randint(0, 5, (8,))))", "(8,)"),
        ("probe(Normal(0, 1).sample())", "()"),
    ],
)
def test_distributions(body: str, expected: str) -> None:
    assert shape(body) == expected


def test_batches_of_a_tensor_dataset_have_a_batch_axis() -> None:
    body = """
    loader = DataLoader(TensorDataset(torch.randn(100, 7), torch.randn(100)), batch_size=10)
    for xb, yb in loader:
        probe(yb)
    """
    assert shape(body) == "(N,)"


def test_named_sizes_know_whether_they_can_be_one() -> None:
    def width(call: str) -> Size:
        call = call.replace("\n", "\n        ")
        body = f"""
        class Head(nn.Module):
            def __init__(self, k):
                super().__init__()
                self.out = nn.Linear(8, k)
            def forward(self, h):
                return self.out(h)
        head = {call}
        probe(head(unknown()))
        """
        source = HEADER + textwrap.dedent(body)
        model = SemanticModel(cst.parse_module(source))
        call_info = [c for c in model.calls if isinstance(c.node.func, cst.Name) and c.node.func.value == "probe"][-1]
        found = tensor_shape(model, call_info.node.args[0].value, call_info.scope)
        assert found is not None
        return found.dims[-1]

    assert width("Head(4)") == 4
    assert width("Head(env.action_space.shape[0])").nonunit is True  # a width fed at run time, never 1 here
    assert width("Head(4)\nsmall = Head(1)").nonunit is False  # another call site builds it 1 wide
    assert width("Head(4)\nother = Head(8)").nonunit is True
    assert width("Head(k=args.k)").nonunit is True


def test_broadcasting_keeps_axes_known_not_to_be_one() -> None:
    k = Size("k", "k", True)
    n = batch_size("loader")
    assert broadcast(known((n, 1)), known((n,))) == known((n, n))
    assert broadcast(ANY, known((n, 1))) == TensorShape((n, None), exact=False)
    assert broadcast(TensorShape((1,), exact=False), TensorShape((k,), exact=False)) == TensorShape((k,), exact=False)
    assert broadcast(None, None) is None


def test_expansion_tells_which_side_is_copied() -> None:
    n = batch_size("loader")
    k = Size("k", "k", True)
    both = expansion(known((n, 1)), known((n,)))
    assert both is not None and both.prediction_expanded and both.target_expanded
    target_only = expansion(known((n, 3)), known((n, 1)))
    assert target_only is not None and not target_only.prediction_expanded and target_only.target_expanded
    named = TensorShape((1,), exact=False), TensorShape((k,), exact=False)
    assert expansion(*named) is not None and expansion(*named).prediction_expanded
    assert expansion(*named, named_sizes_on_target=False) is None
    assert expansion(known((n, 1)), known((n, 1))) is None
    assert expansion(TensorShape((1,), exact=False), known((n, 1))) is None  # the prediction's rank is unknown
