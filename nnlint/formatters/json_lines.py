"""JSON Lines: one finding object per line (the schema of ``--format json``), for streaming readers."""

from __future__ import annotations

import json
from typing import Optional, Sequence

from nnlint.finding import Finding
from nnlint.formatters import FormatOptions, register, unicode_safe


@register("json-lines")
def format_json_lines(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    return "".join(json.dumps(unicode_safe(finding.to_dict())) + "\n" for finding in findings)
