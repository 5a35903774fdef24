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
