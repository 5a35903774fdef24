from nnlint.testing import assert_clean, assert_fixes, assert_flags, check_documented_examples, probe_findings

from nnlint_demo.probes import LargeLearningRate
from nnlint_demo.rules import ZeroGradKeepsZeros

TRAIN = """
import torch

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    optimizer.zero_grad(set_to_none=False)
    model(torch.randn(8, 4)).pow(2).mean().backward()
    optimizer.step()
"""


def test_documented_examples():
    check_documented_examples(ZeroGradKeepsZeros)
    check_documented_examples(LargeLearningRate)  # whole scripts: run for one step


def test_flags_and_fixes():
    assert_flags(ZeroGradKeepsZeros, TRAIN, count=1, line=6, message="set_to_none=False")
    assert_fixes(ZeroGradKeepsZeros, TRAIN, TRAIN.replace("zero_grad(set_to_none=False)", "zero_grad()"))
    assert_clean(ZeroGradKeepsZeros, TRAIN.replace("set_to_none=False", "set_to_none=True"))


def test_probe_option():
    script = TRAIN.replace("lr=0.1", "lr=0.5")
    assert probe_findings(LargeLearningRate, script) == []
    found = probe_findings(LargeLearningRate, script, options={"max_lr": 0.2})
    assert [(f.code, f.line, f.evidence["lr"]) for f in found] == [("NND801", 8, 0.5)]
