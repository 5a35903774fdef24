"""Where each rule reports is part of its contract: every rule's documented wrong example is flagged at
the pinned (line, column), 1-based in the dedented example, with a message naming what is wrong.

A rule that reports at another node (the loop instead of the loader, the activation instead of the loss
call) fails here even where its code is still reported. When an example is edited, re-pin its row."""

from __future__ import annotations

from typing import List, Tuple

import pytest

from nnlint.registry import load_registry
from tests.conftest import lint_text

RULES = load_registry(load_entry_points=False).rules

LOCATIONS: List[Tuple[str, List[Tuple[int, int]], str]] = [
    ("NN101", [(4, 16)], "this DataLoader feeds the training loop at line 6 without shuffle=True"),
    ("NN102", [(5, 5)], "reorders the axes of an array of shape (1000, 32, 32, 3)"),
    ("NN103", [(5, 10)], "statistics of X are computed on the whole data set, which is split afterwards (line 6)"),
    ("NN104", [(5, 1)], "X and y are shuffled by separate random draws (line 4 and here)"),
    ("NN105", [(4, 9)], "pretrained weights are fed images from transform pipeline(s) without Normalize (line 5)"),
    ("NN106", [(5, 11)], "DistributedSampler feeds the training loop but set_epoch(epoch) is never called"),
    ("NN201", [(9, 12)], "CrossEntropyLoss receives the model's output after softmax (line 4)"),
    ("NN202", [(11, 12)], "MSELoss fits unbounded targets of both signs with a model whose output ends in ReLU"),
    ("NN203", [(11, 13)], "dropout in MLP.forward is active in eval mode too"),
    ("NN204", [(5, 9)], "m.weight (Linear) is initialised to zeros"),
    ("NN205", [(3, 69)], "MaxPool2d has stride 3 larger than its kernel 2"),
    ("NN206", [(5, 14)], "model.forward(...) bypasses the module's hooks"),
    ("NN207", [(4, 41), (5, 9)], "LogSoftmax without dim"),
    ("NN301", [(9, 12)], "BCEWithLogitsLoss receives the model's output after a sigmoid (line 4)"),
    ("NN302", [(9, 12)], "NLLLoss receives the raw output of Linear (line 4) with no log_softmax"),
    ("NN303", [(9, 12)], "BCELoss receives the raw output of Linear (line 4) with no sigmoid"),
    ("NN304", [(5, 17)], "log of softmax probabilities (line 5)"),
    ("NN305", [(12, 12)], "MSELoss compares a prediction of shape (N, 1) with a target of shape (N,)"),
    ("NN401", [(7, 5)], "clip_grad_norm_ clips every step at a fixed threshold 1"),
    ("NN402", [(10, 5)], "gradients are never cleared in the training loop at line 7"),
    ("NN403", [(10, 5)], "backward() computes gradients but no optimizer step() applies them"),
    ("NN404", [(9, 5)], "scheduler.step() runs before optimizer.step() (line 13)"),
    ("NN405", [(13, 5)], "`total_loss += <loss tensor>` keeps each iteration's autograd graph alive"),
    ("NN406", [(5, 53)], "Adam learning rate 0.5 is at or above 0.1"),
    ("NN407", [(6, 1)], "model[-1] is replaced after the optimizer was built over model's parameters (line 5)"),
    ("NN501", [(15, 25)], "the model runs in training mode during evaluation"),
    ("NN502", [(12, 5)], "the model stays in eval mode for the training step at line 10"),
    ("NN503", [(7, 21)], "evaluation loop (line 6) runs the model in eval mode with autograd on"),
]


def test_every_rule_has_a_pinned_location() -> None:
    assert sorted(code for code, _, _ in LOCATIONS) == sorted(RULES)


@pytest.mark.parametrize("code,where,fragment", LOCATIONS, ids=[row[0] for row in LOCATIONS])
def test_wrong_example_is_reported_where_the_bug_is(code: str, where: List[Tuple[int, int]], fragment: str) -> None:
    findings = lint_text(RULES[code].wrong_examples()[0], select=[code])
    assert [(f.line, f.column) for f in findings] == where, [(f.line, f.column, f.message) for f in findings]
    assert fragment in findings[0].message, findings[0].message
