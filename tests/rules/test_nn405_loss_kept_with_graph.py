"""NN405: a tensor backpropagated through is a loss, however it was computed."""

from __future__ import annotations

from tests.conftest import lint_text


def test_any_tensor_backward_is_called_on_is_a_loss() -> None:
    source = """
        import torch
        import torch.nn as nn
        model = nn.Linear(4, 2)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        total = 0
        for x, y in loader:
            opt.zero_grad()
            err = (model(x) - y).pow(2).mean()
            err.backward()
            opt.step()
            total += err
    """
    (finding,) = lint_text(source, ["NN405"])
    assert (finding.line, finding.column) == (12, 5)
    assert lint_text(source.replace("total += err", "total += err.item()"), ["NN405"]) == []
