"""Causes of the misses of holdout rounds 11 and 12 (``bench/realcode/holdout11-bugs.tsv``, ``holdout12-bugs.tsv``),
each as the construct real code used, with a twin that must stay silent."""

from __future__ import annotations

from typing import List, Tuple

from tests.conftest import lint_text


def _found(source: str, code: str) -> List[Tuple[int, int]]:
    return [(f.line, f.column) for f in lint_text(source, select=[code]) if f.code == code]


FETCHED_WITHOUT_GRAD = """import torch
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler


def main(train_data, model, optimizer, epochs):
    dataloader = DataLoader(train_data, batch_size=8, sampler=DistributedSampler(train_data, shuffle=True))
    for epoch in range(epochs):
        batches = iter(dataloader)
        for i_step in range(len(dataloader)):
            with torch.no_grad():
                batch = next(batches)
                batch = {k: v.cuda() for k, v in batch.items()}
            outputs = model(**batch)
            optimizer.zero_grad()
            outputs.loss.backward()
            optimizer.step()
"""


def test_a_batch_fetched_under_no_grad_and_trained_on_outside_it_is_a_training_batch() -> None:
    assert _found(FETCHED_WITHOUT_GRAD, "NN106") == [(7, 63)]


def test_a_batch_drawn_and_used_under_no_grad_is_not_a_training_batch() -> None:
    # a validation batch drawn and scored under no_grad next to a training step on another loader
    source = FETCHED_WITHOUT_GRAD.replace(
        "            outputs = model(**batch)\n",
        "                print(model(**batch).loss.item())\n            outputs = model(**next(other))\n",
    )
    assert _found(source, "NN106") == []


BACKWARD_HELPER = """import torch


class Trainer:
    def _backward(self, loss, opt, mul=1):
        if mul != 1:
            loss *= mul
        loss.backward()
        return loss

    def train(self, iterations):
        for it in range(iterations):
            self.D_opt.zero_grad()
            D_loss = 0
            for i in range(self.subdivisions):
                loss = self.D_loss_fn(self.G, self.D, self.batch())
                self._backward(loss, self.D_opt)
                D_loss += loss
            self.D_opt.step()
            print(D_loss)
"""


def test_a_loss_handed_to_a_helper_that_backpropagates_it_is_a_live_loss() -> None:
    assert _found(BACKWARD_HELPER, "NN405") == [(18, 17)]


def test_a_loss_handed_to_a_helper_that_only_logs_it_is_not() -> None:
    source = BACKWARD_HELPER.replace("        loss.backward()\n", "        print(loss)\n")
    assert _found(source, "NN405") == []
