"""Shapes of well-kept code that once drew a false alarm (self-written; the code they come from is read,
never copied): synthetic data sets, API demonstrations with no objective."""

from __future__ import annotations

from tests.conftest import lint_text

RANDOM_TOKENS = """
import torch
from torch.utils.data import DataLoader, Dataset

class RandomTokens(Dataset):
    def __init__(self, vocab, length):
        self.tokens = torch.randint(vocab, size=(64, length + 1))

    def __len__(self):
        return 64

    def __getitem__(self, index):
        return self.tokens[index]

model = torch.nn.Embedding(100, 8)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loader = DataLoader(RandomTokens(100, 16), batch_size=8)
for batch in loader:
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(model(batch[:, :-1]).flatten(0, 1), batch[:, 1:].flatten()).backward()
    optimizer.step()
"""


def test_an_unshuffled_loader_over_random_tokens_is_silent() -> None:
    assert lint_text(RANDOM_TOKENS, select=["NN101"]) == []


def test_an_unshuffled_loader_over_real_samples_with_random_noise_is_still_reported() -> None:
    source = RANDOM_TOKENS.replace(
        "self.tokens = torch.randint(vocab, size=(64, length + 1))",
        "self.tokens = torch.arange(64 * (length + 1)).view(64, length + 1) % vocab",
    )
    findings = lint_text(source, select=["NN101"])
    assert [(f.line, f.column, f.code) for f in findings] == [(17, 10, "NN101")]


DEMO = """
import torch

model = make_parallel_model()
optimizer = torch.optim.AdamW(model.parameters(), lr=0.25)
for i in range(10):
    output = model(torch.rand(20, 10))
    output.sum().backward()
    optimizer.step()
"""


def test_an_api_demo_backpropagating_a_bare_sum_has_no_learning_rate_to_judge() -> None:
    assert lint_text(DEMO, select=["NN406"]) == []


def test_the_same_rate_with_a_real_loss_is_reported() -> None:
    source = DEMO.replace("output.sum().backward()", "torch.nn.functional.mse_loss(output, target).backward()")
    findings = lint_text(source, select=["NN406"])
    assert [(f.line, f.column, f.code) for f in findings] == [(5, 54, "NN406")]
