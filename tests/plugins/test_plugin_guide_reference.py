"""Issue 13 item 17: the plugin guide documents every probe observation and every model query the API
exports; ``assert_fixes`` and probe example checks are exported by ``nnlint.testing``."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest

import nnlint.api as api
from nnlint.analysis.symbols import CallInfo, LoopInfo
from nnlint.registry import load_registry

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
# the recorder and its parts (recorder_loaders.py, recorder_forwards.py, ...): the recorder.py's own text first
RECORDER = "\n".join(
    path.read_text(encoding="utf-8") for path in sorted((REPO / "nnlint" / "dynamic").glob("recorder*.py"))
)


def _recorded_keys() -> set:
    start = RECORDER.index("self.obs: Dict[str, Any] = {")
    initial = RECORDER[start : RECORDER.index("}\n", start)]
    keys = set(re.findall(r'"([a-z_]+)":', initial))
    keys |= set(re.findall(r'self\.obs\["([a-z_]+)"\]\s*=', RECORDER))
    keys |= set(re.findall(r'self\.obs\.get\("([a-z_]+)"', RECORDER))
    return keys


def test_every_recorded_observation_is_documented_in_the_api_and_the_guide() -> None:
    keys = _recorded_keys()
    assert {"optimizers", "loaders", "losses", "activations", "step_where"} <= keys
    assert keys == set(api.OBSERVATIONS), sorted(keys ^ set(api.OBSERVATIONS))
    table = GUIDE[GUIDE.index("<!-- observations -->") : GUIDE.index("<!-- /observations -->")]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (.*) \|$", table, re.M))
    assert rows == {key: text.replace("|", "/") for key, text in api.OBSERVATIONS.items()}


def test_every_model_query_the_api_names_is_in_the_guide_with_the_call_info_fields_in_order() -> None:
    queries = sorted(set(re.findall(r"model\.([a-z_]+)", api.__doc__ or "")))
    assert "training_loops" in queries and "enclosing" in queries
    missing = [name for name in queries if f"`model.{name}" not in GUIDE]
    assert not missing, missing
    for info in (CallInfo, LoopInfo):
        fields = [f.name for f in dataclasses.fields(info)]
        sentence = GUIDE[GUIDE.index(f"`{info.__name__}` fields") :]
        positions = [sentence.index(f"`{name}`") for name in fields]
        assert positions == sorted(positions), (info.__name__, fields)
    assert "`method_name`" in GUIDE and "`receiver`" in GUIDE


def test_assert_fixes_checks_the_fixed_text_and_that_the_finding_goes() -> None:
    from nnlint.testing import assert_fixes

    rule = load_registry(load_entry_points=False).rules["NN206"]
    before = """
        import torch
        model = torch.nn.Linear(2, 2)
        y = model.forward(torch.zeros(1, 2))
    """
    applied = assert_fixes(rule, before, before.replace("model.forward(", "model("))
    assert [(f.code, f.line, f.column) for f in applied] == [("NN206", 3, 5)]
    with pytest.raises(AssertionError, match=r"(?s)NN206: the fixed source differs.*-y = model \(torch"):
        assert_fixes(rule, before, before.replace("model.forward(", "model ("))
    with pytest.raises(AssertionError, match="NN206: no finding with a fix"):
        assert_fixes(rule, before.replace("model.forward(", "model("), before)


def test_probe_examples_are_checked_like_rule_examples() -> None:
    from nnlint.testing import check_documented_examples

    probes = sorted(load_registry(load_entry_points=False).probes.items())
    assert len(probes) > 20
    for _, probe in probes:  # the built-in probes' examples are fragments: sections, and each parses
        check_documented_examples(probe)
    broken = type(probes[0][1])(
        "Broken", (probes[0][1],), {"__doc__": probes[0][1].__doc__.replace("```python\n", "```python\n    )(\n", 1)}
    )
    with pytest.raises(AssertionError, match="an example does not parse"):
        check_documented_examples(broken)


LR_SCRIPT = """
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    optimizer = torch.optim.SGD([
        {"params": model[0].parameters(), "lr": 0.5},
        {"params": model[2].parameters()},
    ], lr=0.01, momentum=0.9)
    for step in range(3):
        x = torch.randn(16, 4)
        loss = (model(x) - x.sum(dim=1, keepdim=True)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""


@pytest.mark.dynamic
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="the dynamic pass needs torch")
def test_probes_see_the_optimizer_settings_of_every_param_group() -> None:
    from nnlint.api import Probe
    from nnlint.testing import probe_findings

    class LearningRates(Probe):
        code, name, summary = "NNT801", "learning-rates", "reports the learning rates"

        def check(self, run):
            for optimizer in run.optimizers:
                groups = optimizer.get("param_groups", [])
                rates = ", ".join(
                    f"{group.get('lr')}/{group.get('momentum')}/{group.get('params')}" for group in groups
                )
                run.report(
                    optimizer.get("where"), f"{optimizer.get('class')} primary={optimizer.get('primary')}: {rates}", {}
                )

    findings = probe_findings(LearningRates, LR_SCRIPT)
    assert [(f.line, f.message) for f in findings] == [(14, "SGD primary=True: 0.5/0.9/2, 0.01/0.9/2")]
