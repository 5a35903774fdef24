"""The rule base class: built-in and third-party rules subclass it.

A rule's class docstring is its user documentation (`nnlint explain CODE` prints it). It is written
in four parts, each a Markdown heading: ``## What it does``, ``## Why is this bad?``, ``## Example``
(followed by a fenced ``python`` block of *wrong* code that the rule must flag) and ``## Use instead``
(a fenced ``python`` block of *right* code that it must not flag), optionally ``## How to fix``.
The examples are run by the test suite, so the documentation can never drift from the behaviour.
"""
from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Iterable, List, Optional

from nnlint.finding import Finding, Fix, Severity

if TYPE_CHECKING:
    import libcst as cst

    from nnlint.context import RuleContext

_FENCE = re.compile(r"^## (?P<title>[^\n]+)\n(?P<body>.*?)(?=^## |\Z)", re.M | re.S)
_CODE = re.compile(r"```python\n(?P<code>.*?)```", re.S)


class Rule:
    """Base class of every static rule.

    Subclasses set ``code`` (e.g. ``"NN201"``), ``name`` (kebab-case, e.g. ``"softmax-into-cross-entropy"``)
    and ``summary`` (one line), and implement :meth:`check`, which asks ``ctx.model`` (the file's
    :class:`~nnlint.analysis.model.SemanticModel`) questions and calls ``ctx.report(...)``.
    ``default_options`` declares the rule's options; users override them in
    ``[tool.nnlint.options.<CODE or name>]`` and the rule reads ``self.options``.

    Fixes. A finding may carry a safe, mechanical fix (``--fix``, ``--diff``, the editor's quick fix):
    pass ``fix=`` to ``ctx.report``. Build it from the nodes you already hold::

        fix = ctx.fix("call model(...) instead of model.forward(...)",
                      ctx.replace(call.func, call.func.value))          # a libcst node or text
        fix = ctx.fix("pass training=self.training",
                      ctx.insert_after(call.args[-1].value, ", training=self.training"))
        ctx.report(call, message, fix=fix)

    ``ctx.replace(node, new)`` / ``ctx.insert_before(node, text)`` / ``ctx.insert_after(node, text)``
    return :class:`~nnlint.finding.Edit` objects computed from libcst positions; a replacement node is
    rendered by libcst, so everything outside the edited node keeps its formatting and comments.
    ``nnlint.fixes`` has ready-made builders (``add_keyword``, ``set_keyword``,
    ``call_instead_of_forward``, ``drop_final_activation``, ``enable_shuffle``) that return ``None``
    where the rewrite is not provably safe. Attach a fix only when it cannot change what correct code
    computes; return ``None`` when in doubt. The engine (``nnlint.autofix``) applies fixes pass by
    pass, skips overlapping ones until the next pass, re-parses the result and never writes a file
    whose fixed source does not parse, so a rule never has to check that itself; the finding must
    disappear once its fix is applied (a fix that leaves it is reported as not converging).
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.WARNING
    default_options: ClassVar[Dict[str, Any]] = {}

    def __init__(self, options: Optional[Dict[str, Any]] = None) -> None:
        self.options: Dict[str, Any] = {**self.default_options, **(options or {})}

    def check(self, ctx: "RuleContext") -> None:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def sections(cls) -> Dict[str, str]:
        return {m["title"].strip(): m["body"].strip() for m in _FENCE.finditer(cls.documentation())}

    @classmethod
    def examples(cls, section: str) -> List[str]:
        body = cls.sections().get(section, "")
        return [m["code"] for m in _CODE.finditer(body)]

    @classmethod
    def wrong_examples(cls) -> List[str]:
        return cls.examples("Example")

    @classmethod
    def right_examples(cls) -> List[str]:
        return cls.examples("Use instead")


def rule_classes_in(module: Any) -> Iterable[type]:
    """The Rule subclasses a module defines (not the ones it imports)."""
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, Rule)
            and value is not Rule
            and value.__module__ == module.__name__
            and value.code
        ):
            yield value


__all__ = ["Rule", "Finding", "Fix", "Severity", "rule_classes_in"]
