"""The rule base class: built-in and third-party rules subclass it.

A rule's class docstring is its user documentation (`nnlint explain CODE` prints it). It is written
in four parts, each a Markdown heading: ``## What it does``, ``## Why is this bad?``, ``## Example``
(followed by a fenced ``python`` block of *wrong* code that the rule must flag) and ``## Use instead``
(a fenced ``python`` block of *right* code that it must not flag), optionally ``## How to fix``.
The examples are run by the test suite, so the documentation can never drift from the behaviour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from nnlint.documented import Documented
from nnlint.finding import Finding, Fix, Severity

if TYPE_CHECKING:
    from nnlint.context import RuleContext


class Rule(Documented):
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

    def check(self, ctx: "RuleContext") -> None:
        raise NotImplementedError


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
