"""JSON: a list of finding objects (see Finding.to_dict for the schema)."""

from __future__ import annotations

import json
from typing import Optional, Sequence

from nnlint.finding import Finding
from nnlint.formatters import FormatOptions, register, unicode_safe


@register("json")
def format_json(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    return json.dumps(unicode_safe([finding.to_dict() for finding in findings]), indent=2) + "\n"
