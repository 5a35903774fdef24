"""Cases that kill mutations which once survived every other rule test (issue 16): each pins a
condition or a wording of a rule that no other test depended on."""

from __future__ import annotations

from tests.conftest import lint_text

LOOP = """
import torch
import torch.nn as nn
model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in [(torch.zeros(3, 4), torch.zeros(3, dtype=torch.long))]:
    loss = nn.functional.cross_entropy(model(x), y)
    {backward}
    optimizer.step()
"""


def test_nn402_needs_a_backward_in_the_loop() -> None:
    (finding,) = lint_text(LOOP.format(backward="loss.backward()"), select=["NN402"])
    assert (finding.line, finding.column) == (9, 5)
    assert "gradients are never cleared in the training loop at line 6" in finding.message
    # step() without backward() accumulates nothing: that is NN403's business, not NN402's
    assert lint_text(LOOP.format(backward="pass"), select=["NN402"]) == []


EVALUATORS = """
import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
loader = [(torch.zeros(3, 4), torch.zeros(3, dtype=torch.long))]

def validate():
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
    return correct

def test_accuracy():
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
    return correct

model.train()
validate()
test_accuracy()
"""


def test_nn501_reports_each_evaluation_function_of_one_model() -> None:
    findings = lint_text(EVALUATORS, select=["NN501"])
    assert [(f.line, f.column) for f in findings] == [(11, 25), (18, 25)]


SOMETIMES = """
import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
loader = [(torch.zeros(3, 4), torch.zeros(3, dtype=torch.long))]

def evaluate():
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
    return correct

model.train()
for epoch in range(3):
    if epoch > 0:
        model.eval()
    evaluate()
"""


def test_nn501_says_on_some_paths_only_when_eval_is_called_on_some() -> None:
    (sometimes,) = lint_text(SOMETIMES, select=["NN501"])
    assert (sometimes.line, sometimes.column) == (11, 25)
    assert "during evaluation on some paths:" in sometimes.message
    never = SOMETIMES.replace("    if epoch > 0:\n        model.eval()\n", "")
    (always,) = lint_text(never, select=["NN501"])
    assert (always.line, always.column) == (11, 25)
    assert "on some paths" not in always.message and "during evaluation:" in always.message


NORMALISED = """
import torch
X = torch.randn(100, 4)
X = (X - X.mean(0)) / X.std(0)
{slices}
"""


def test_nn103_a_split_is_two_complementary_row_blocks() -> None:
    (finding,) = lint_text(NORMALISED.format(slices="train, test = X[:80], X[80:]"), select=["NN103"])
    assert (finding.line, finding.column) == (4, 10)
    assert "split afterwards (line 5)" in finding.message
    for subsets in ("a, b = X[:40], X[50:90]", "rest = X[10:]", "a, b = X[10:], X[20:]", "head = X[:10]"):
        assert lint_text(NORMALISED.format(slices=subsets), select=["NN103"]) == [], subsets
