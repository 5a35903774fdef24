"""``--report report.html``: the page holds every plot and every finding with its evidence; it renders in a
real browser; the static pass and a plain ``--dynamic`` run never import matplotlib."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List

import pytest

from nnlint.dynamic.experiment_results import run_summary
from nnlint.finding import Finding, Source

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="matplotlib (the `report` extra) is not installed"
)
REPO = Path(__file__).resolve().parents[2]

OBSERVATIONS = {
    "steps": 2,
    "backwards": 2,
    "batches": {"train": 2, "eval": 1},
    "model_device": "cpu",
    "optimizers": [{"class": "AdamW", "param_groups": [{"params": 4, "lr": 0.0003}], "where": []}],
    "losses": [{"phase": "train", "value": 1.39}, {"phase": "train2", "value": 1.31}, {"phase": "eval", "value": 9}],
    "grads": [
        {"name": "Net.encoder.weight", "grad_norm": 0.42, "weight_norm": 3.1},
        {"name": "Net.head.weight", "grad_norm": 0.013, "weight_norm": 1.2},
    ],
    "update_ratios": [
        {"name": "Net.encoder.weight", "ratio": 0.0021, "lr": 0.0003, "numel": 512},
        {"name": "Net.head.weight", "ratio": 0.0008, "lr": 0.0003, "numel": 64},
    ],
    "activations": [
        {"module": "Net.encoder", "module_type": "Linear", "mean": 0.02, "std": 0.9, "order": 0},
        {"module": "Net.head", "module_type": "Linear", "mean": -0.1, "std": 1.7, "order": 1},
    ],
    "experiments": {
        "results": {
            "NN901": {"losses": [1.4, 0.9, 0.31, 0.02], "steps": 4},
            "NN902": {"losses": [1.4, 1.39, 1.38, 1.38], "steps": 4},
            "NN904": {"max_abs_diff": 0.0},
        }
    },
}


def findings() -> List[Finding]:
    dynamic = Finding(
        path="train.py",
        line=41,
        column=1,
        code="NN402",
        name="missing-zero-grad",
        message="the backward after the first optimizer step starts with every one of the 4 parameters",
        source=Source.DYNAMIC,
        confirmed=True,
        evidence={"params": 4, "params_with_stale_grad": 4},
    )
    summary = run_summary("train.py", OBSERVATIONS, None, 3.5, [dynamic])
    return [dynamic, summary]


class Page(HTMLParser):
    """The ids of the figures, the SVG text inside each, and the finding rows of a report."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: Dict[str, List[str]] = {}
        self.svgs: Dict[str, int] = {}
        self.rows: List[str] = []
        self.external: List[str] = []
        self._figure = None
        self._row = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "figure":
            self._figure = attributes.get("id")
            self.figures[self._figure] = []
        if tag == "svg" and self._figure:
            self.svgs[self._figure] = self.svgs.get(self._figure, 0) + 1
        if tag == "tr" and attributes.get("class") == "finding":
            self._row = attributes.get("data-code")
            self.rows.append("")
        for name in ("src", "href"):
            if attributes.get(name) and not str(attributes[name]).startswith(("#", "data:")):
                self.external.append(str(attributes[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._figure:
            self.figures[self._figure].append(data)
        if self._row:
            self.rows[-1] += data


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    return parser


@needs_matplotlib
def test_every_plot_and_finding_is_on_the_page() -> None:
    from nnlint.dynamic.html_report import render_report

    page = parse(render_report("train.py", OBSERVATIONS, findings()))
    assert set(page.svgs) == {"plot-losses", "plot-gradients", "plot-update-ratios", "plot-activations"}
    text = {key: " ".join(parts) for key, parts in page.figures.items()}
    assert "NN901 overfit one batch" in text["plot-losses"] and "NN902 zeroed inputs" in text["plot-losses"]
    assert "the script's training losses" in text["plot-losses"]
    assert "Net.head.weight" in text["plot-gradients"] and "Net.encoder.weight" in text["plot-update-ratios"]
    assert "Net.head (Linear)" in text["plot-activations"]
    (row,) = page.rows  # NN004 is the run's record, shown as what the run saw, not as a finding
    assert row.startswith("NN402") and "train.py:41:1" in row and '"params_with_stale_grad": 4' in row
    assert page.external == []  # self-contained


@needs_matplotlib
def test_what_the_run_saw_and_what_was_not_drawn() -> None:
    from nnlint.dynamic.html_report import render_report

    raw = render_report("train.py", {"steps": 0, "backwards": 0, "model_device": "cpu"}, [])
    page = parse(raw)
    assert page.svgs == {} and page.rows == []
    assert "No findings." in raw and "No gradient norms: the run reached no optimizer step" in raw
    full = render_report("train.py", OBSERVATIONS, findings())
    for fragment in ("<th>optimizer steps</th><td>2</td>", "2 training, 1 evaluation", "<td>cpu</td>", "AdamW"):
        assert fragment in full


def test_a_missing_extra_is_one_clear_error(monkeypatch) -> None:
    from nnlint.dynamic import html_report

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(html_report.ReportError, match=r"pip install 'nnlint\[report\]'"):
        html_report.require_matplotlib()


TRAIN = """
import sys
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for step in range(4):
    x, y = torch.randn(32, 8), torch.randint(0, 3, (32,))
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
"""

PROBE_IMPORTS = "import sys, runpy; sys.argv = ['nnlint', *sys.argv[1:]]\n" + textwrap.dedent(
    """
    try:
        runpy.run_module('nnlint', run_name='__main__')
    except SystemExit:
        pass
    print('PARENT-MATPLOTLIB', 'matplotlib' in sys.modules, file=sys.stderr)
    """
)


def nnlint(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    return subprocess.run(
        [sys.executable, "-c", PROBE_IMPORTS, "check", "--isolated", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.dynamic
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
@needs_matplotlib
def test_report_of_a_real_run_renders_in_chromium_and_only_report_imports_matplotlib(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(TRAIN, encoding="utf-8")
    static = nnlint(tmp_path, "train.py")
    assert "PARENT-MATPLOTLIB False" in static.stderr, static.stderr
    plain = nnlint(tmp_path, "--dynamic", "--device", "cpu", "train.py")
    assert "PARENT-MATPLOTLIB False" in plain.stderr, plain.stderr
    report = tmp_path / "report.html"
    drawn = nnlint(tmp_path, "--dynamic", "--device", "cpu", "--experiments", "--report", str(report), "train.py")
    assert report.exists(), drawn.stderr
    page = parse(report.read_text(encoding="utf-8"))
    assert set(page.svgs) == {"plot-losses", "plot-gradients", "plot-update-ratios", "plot-activations"}
    assert "Sequential.0.weight" in " ".join(page.figures["plot-gradients"])
    browser = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
    )
    if browser is None:
        pytest.skip("headless Chromium is not installed: the page was checked as HTML only")
    shot = Path(os.environ.get("NNLINT_REPORT_SCREENSHOT") or tmp_path / "report.png")
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            "--window-size=1100,2600",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 20_000, done.stderr[-500:]
    dumped = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dumped.stdout.count("<svg") == 4 and "What the run saw" in dumped.stdout
