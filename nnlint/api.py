"""The public API for plugin authors: everything a third-party rule or probe may import.

Import from here, not from nnlint's internal modules: names in ``__all__`` keep their meaning across
minor releases; everything else may move. nnlint's own rules import from this module too, so a plugin
has exactly the tools the built-in rules have. The guide is ``docs/plugins.md``; this docstring is the
reference.

Registering a plugin
    A plugin is any importable object (usually a module) with functions marked ``@hookimpl``, named in
    an entry point of the group ``nnlint``::

        [project.entry-points.nnlint]
        example = "nnlint_example.plugin"

    The entry point's name (``example``) is the plugin's name: it is what ``nnlint plugins`` lists and
    the table ``[tool.nnlint.example]`` its users configure it in. Hooks (see ``nnlint.hookspecs``):

    ``nnlint_rules() -> list[type[Rule]]``
        the static rule classes the plugin provides.
    ``nnlint_probes() -> list[type[Probe]]``
        the runtime probe classes (``--dynamic``) it provides.

    A plugin that raises on import, or whose hook raises, is reported (one line on stderr) and skipped;
    the run goes on. A code already taken by another plugin is reported and the later one skipped.

Codes
    ``[A-Z]+[0-9]+``, e.g. ``NNX001``. nnlint's own codes are ``NN`` + digits; give a plugin ``NN``
    plus a letter of its own (``NNL1xx`` for Lightning) so that the default selection (``NN``) turns its
    rules on, ``--select NNL``/``--ignore NNL103``/``# noqa: NNL103`` address them, and they cannot
    clash with a built-in rule.

Writing a rule
    Subclass :class:`Rule`; set ``code``, ``name`` (kebab-case), ``summary`` (one line); implement
    ``check(self, ctx)``. The class docstring is the rule's documentation (``nnlint explain CODE``) in
    the sections ``## What it does``, ``## Why is this bad?``, ``## Example`` (a ```` ```python ````
    block the rule must flag), ``## Use instead`` (one it must not flag), optionally ``## How to fix``.
    :func:`nnlint.testing.check_documented_examples` runs those examples in your tests.

    ``check`` reads ``ctx.model`` (:class:`SemanticModel`, one per file, built in a single walk; every
    query is lazy and cached) and calls ``ctx.report(node, message, evidence=None, fix=None,
    severity=None)`` for each finding. :class:`RuleContext` also carries ``path``, ``source`` and the
    libcst ``module``. The most useful queries:

    - ``model.calls`` -> [:class:`CallInfo`] (``node``, ``scope``, ``function``, enclosing ``loops`` and
      ``withs``, ``method_name``, ``receiver``); ``model.loops`` -> [:class:`LoopInfo`];
      ``model.functions`` -> [:class:`FunctionInfo`]; ``model.classes`` -> [:class:`ClassInfo`]
      (``methods``, ``attributes``: the ``self.x = ...`` bindings per name).
    - ``model.callee_qualname(call_node, scope)`` / ``model.qualname(expr, scope)``: the canonical
      imported name (``"torch.nn.CrossEntropyLoss"``, ``"pytorch_lightning.Trainer"``) through aliases.
    - ``model.lookup(name, scope, before=order)`` -> :class:`Binding`: where a name got its value.
    - ``model.object_of(expr, scope)`` -> :class:`Obj` (``kind``: model, layer, loss, optimizer,
      scheduler, loader, sampler, unknown; ``qualname``; ``node``; ``cls``), across files of the project.
    - ``model.tail_of(expr, scope, wanted={"sigmoid"})`` -> :class:`Tail`: what a tensor passed through
      last; ``wanted`` names the kinds you look for, so that where the tensor may come from several
      objects (a model picked in an ``if``/``else``, callers passing different models) a wanted one wins.
    - ``model.alternative_bindings(name_node, scope)`` -> [:class:`Binding`]: every binding that may
      reach a use, latest first; ``model.object_alternatives(expr, scope)`` -> [:class:`Obj`]: every
      module object a name may hold (per branch, per caller).
    - ``model.argument(call, position, keyword)``, ``model.has_keyword(call, kw)``,
      ``model.number(expr, scope)`` (a literal number, through module constants).
    - ``model.method_of(cls, name)``, ``model.is_module_class(cls)``, ``model.enclosing(node, types)``,
      ``model.function_of(node)``, ``model.scope_of(node)``, ``model.in_no_grad(call)``,
      ``model.training_loops``, ``model.loop_does(loop, "backward")``, ``model.line_of(node)``.
    - ``torch_api``: what nnlint knows of PyTorch as data (loss classes, activations, optimizers...).

    When in doubt, stay silent: a finding must be one a maintainer would thank you for.

Options
    ``default_options`` (a dict) declares a rule's options and their defaults; the rule reads
    ``self.options``. Each option's type follows from its default (``3`` a whole number, ``2.0`` a
    number, ``True``, ``"x"``, ``["a"]``); declare the others in ``option_types`` with the types of
    the module ``options_schema`` (exported here): ``option_types = {"bounds": options_schema.table_of(
    options_schema.NUMBER)}``. A configured option that is unknown or of the wrong type is an error. Users set
    them, most specific last wins, in ``pyproject.toml``::

        [tool.nnlint.example]          # the plugin's table (its entry point name)
        some_option = 3                # for every rule of the plugin that declares it
        [tool.nnlint.example.NNX001]   # for one rule, by code or name
        some_option = 4
        [tool.nnlint.options.NNX001]   # the generic per-rule table works for plugin rules too
        some_option = 5

    A key in a plugin table that none of the plugin's rules declares is a configuration error, as is a
    ``[tool.nnlint.<name>]`` table for a plugin that is not installed.

Fixes
    Pass ``fix=Fix("what it does", edits=(Edit(line, column, end_line, end_column, replacement),))``
    to ``ctx.report``: lines are 1-based, columns 0-based offsets. Only attach a fix that is safe
    without a human looking at it. ``ctx.model.range_of(node)`` gives a node's positions; the helpers
    ``ctx.fix``, ``ctx.replace``, ``ctx.insert_before`` and ``ctx.insert_after`` build the edits from
    nodes (see :class:`Rule`); the module ``fixes`` (exported here) has ready-made builders
    (``fixes.add_keyword``, ``fixes.set_keyword``, ...) that return ``None`` where a rewrite is unsafe.

Runtime probes
    :class:`Probe` (``nnlint.dynamic.probe``) is the base class of ``--dynamic`` checks. A probe never
    imports torch: it reads the JSON observations that nnlint's instrumented child run recorded,
    through :class:`RunView` (``run.get("losses", [])``, ``run.get("loaders", [])``...), and reports
    with ``run.report(where, message, evidence)``; ``confirm(finding, run)`` may confirm (True) or
    refute (False) a static finding of the same code. ``Probe`` and ``RunView`` are imported on first
    use (static rules never load the dynamic pass) and are ``None`` when this installation has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Type

from nnlint import fixes, options_schema
from nnlint.analysis import torch_api
from nnlint.analysis.model import (
    Binding,
    CallInfo,
    ClassInfo,
    FunctionInfo,
    LoopInfo,
    Obj,
    Scope,
    SemanticModel,
    Tail,
)
from nnlint.context import RuleContext
from nnlint.finding import Edit, Finding, Fix, Severity, Source
from nnlint.hookspecs import hookimpl, hookspec
from nnlint.rule import Rule

if TYPE_CHECKING:  # at run time they are imported on first use, see __getattr__
    from nnlint.dynamic.probe import Probe, RunView

API_VERSION = 1  # bumped when a name in __all__ changes meaning
_OBSERVATION_NAMES_PUBLIC = (
    "OBSERVATIONS",
    "Activation",
    "GradEntry",
    "LoaderInfo",
    "LossEvent",
    "OptimizerInfo",
    "ParamGroup",
    "TensorStats",
    "UpdateRatio",
    "Where",
)

__all__ = [
    "API_VERSION",
    "Binding",
    "CallInfo",
    "ClassInfo",
    "Edit",
    "Finding",
    "Fix",
    "FunctionInfo",
    "LoopInfo",
    "Obj",
    "Probe",
    "Rule",
    "RuleContext",
    "RunView",
    "Scope",
    "SemanticModel",
    "Severity",
    "Source",
    "Tail",
    "fixes",
    "hookimpl",
    "hookspec",
    "options_schema",
    "torch_api",
    *_OBSERVATION_NAMES_PUBLIC,
]


_DYNAMIC_NAMES = ("Probe", "RunView")
# the typed observations a probe reads (nnlint.dynamic.observations; plain data, no torch)
_OBSERVATION_NAMES = _OBSERVATION_NAMES_PUBLIC


def probe_class() -> Optional[Type["Probe"]]:
    """The Probe base class, or None when this installation has no dynamic pass."""
    return __getattr__("Probe")  # type: ignore[return-value]


def __getattr__(name: str) -> object:
    # the dynamic pass's names are imported on first use: static rules never load it
    if name in _OBSERVATION_NAMES:
        try:
            from nnlint.dynamic import observations
        except ImportError:
            return None
        return getattr(observations, name)
    if name in _DYNAMIC_NAMES:
        try:
            from nnlint.dynamic import probe
        except ImportError:
            return None
        return getattr(probe, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
