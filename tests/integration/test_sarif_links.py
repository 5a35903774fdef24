"""SARIF links: the tool's informationUri and each rule's helpUri come from the URLs a distribution publishes
(or a rule's own ``help_url``); without any, the log has no links and stays valid."""

from __future__ import annotations

import importlib.metadata
import json
from email.message import Message
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from nnlint.finding import Finding
from nnlint.formatters import format_findings
from nnlint.formatters.project_urls import help_uri, project_urls
from nnlint.rule import Rule

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")
FINDING = Finding("train.py", 3, 5, "NN201", "softmax-into-cross-entropy", "softmax into CE")


def _metadata_with(entries: List[str]) -> Message:
    message = Message()
    for entry in entries:
        message["Project-URL"] = entry
    return message


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dict[str, List[str]]]:
    """Sets the Project-URL entries that nnlint's installed metadata reports."""
    entries: Dict[str, List[str]] = {"nnlint": []}
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: _metadata_with(entries[name]))
    project_urls.cache_clear()
    yield entries
    project_urls.cache_clear()


def _driver(findings: List[Finding]) -> dict:
    log = json.loads(format_findings("sarif", findings))
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return log["runs"][0]["tool"]["driver"]


def test_published_urls_become_information_and_help_uris(published: Dict[str, List[str]]) -> None:
    published["nnlint"] += [
        "Homepage, https://nnlint.example.org",
        "Rules, https://nnlint.example.org/rules/{code}.html",
    ]
    driver = _driver([FINDING])
    assert driver["informationUri"] == "https://nnlint.example.org"
    assert driver["rules"][0]["helpUri"] == "https://nnlint.example.org/rules/nn201.html"


def test_without_published_urls_there_are_no_links(published: Dict[str, List[str]]) -> None:
    driver = _driver([FINDING])
    assert "informationUri" not in driver
    assert "helpUri" not in driver["rules"][0]
    assert "## Why is this bad?" in driver["rules"][0]["help"]["markdown"]  # the documentation is still there


def test_relative_or_malformed_urls_are_ignored(published: Dict[str, List[str]]) -> None:
    published["nnlint"] += ["Homepage, docs/index.html", "Rules, rules/{code}", "Source without a comma"]
    driver = _driver([FINDING])
    assert "informationUri" not in driver and "helpUri" not in driver["rules"][0]


def test_a_rule_s_own_help_url_wins() -> None:
    class Documented(Rule):
        """## What it does\nx"""

        code = "XX101"
        help_url = "https://plugin.example.org/xx101"

    class Relative(Documented):
        help_url = "/xx101"

    rules_url = {"rules": "https://nnlint.example.org/rules/{code}"}
    assert help_uri(Documented, "XX101", rules_url) == "https://plugin.example.org/xx101"
    # a plugin's rule is not described by nnlint's rule pages
    assert help_uri(Relative, "XX101", rules_url) is None
    from nnlint.rules.nn201_softmax_into_cross_entropy import SoftmaxIntoCrossEntropy

    assert help_uri(SoftmaxIntoCrossEntropy, "NN201", rules_url) == "https://nnlint.example.org/rules/nn201"
    assert help_uri(SoftmaxIntoCrossEntropy, "NN201", {}) is None
