"""What rules, runtime probes and nnlint's own diagnostics share: a code, a name, options, and
user documentation in their docstring (the four-part Markdown format ``nnlint explain`` prints)."""

from __future__ import annotations

import inspect
import re
from typing import Any, ClassVar, Dict, List, Optional

from nnlint.finding import Severity

_SECTION = re.compile(r"^## (?P<title>[^\n]+)\n(?P<body>.*?)(?=^## |\Z)", re.M | re.S)
_PYTHON_BLOCK = re.compile(r"```python\n(?P<code>.*?)```", re.S)


class Documented:
    """Base of every documented check. ``default_options`` are overridden per code or name in config."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.WARNING
    default_options: ClassVar[Dict[str, Any]] = {}
    # the type of each option whose default does not say it (nnlint.options_schema: NUMBER, table_of(...))
    option_types: ClassVar[Dict[str, Any]] = {}
    # an absolute URL of this check's documentation (SARIF's helpUri); None: the distribution's "Rules" URL
    help_url: ClassVar[Optional[str]] = None

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        self.options: Dict[str, Any] = {**self.default_options, **(options or {})}

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def sections(cls) -> Dict[str, str]:
        return {m["title"].strip(): m["body"].strip() for m in _SECTION.finditer(cls.documentation())}

    @classmethod
    def examples(cls, section: str) -> List[str]:
        return [m["code"] for m in _PYTHON_BLOCK.finditer(cls.sections().get(section, ""))]

    @classmethod
    def wrong_examples(cls) -> List[str]:
        return cls.examples("Example")

    @classmethod
    def right_examples(cls) -> List[str]:
        return cls.examples("Use instead")
