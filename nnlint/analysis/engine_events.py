"""Event handlers of ignite-style engines: code the framework runs at a point of its own loop.

``@trainer.on(Events.EPOCH_STARTED)`` and ``trainer.add_event_handler(Events.EPOCH_STARTED, fn)`` run
``fn`` at the top of every epoch, before that epoch's first optimizer step (ignite's
``Engine(update)`` loop runs the update function once per batch after the handlers).

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.model import CallInfo, Scope, SemanticModel

_EVENTS = "ignite.engine.Events"


def calls_in_handlers(model: SemanticModel, event: str) -> Iterator[CallInfo]:
    """Calls made by the handlers registered for one event (``EPOCH_STARTED``), lambdas included."""
    for _, _, handler in registered_handlers(model, event):
        start = model.order.get(handler)
        if start is None:
            continue
        end = model.subtree_end.get(handler, start)
        for call in model.calls:
            if start < call.order <= end:
                yield call


def registered_handlers(
    model: SemanticModel, event: str
) -> List[Tuple[Optional[cst.BaseExpression], Scope, cst.CSTNode]]:
    """(the engine expression, its scope, the handler: a function definition or a lambda) for each handler
    registered for one event, with ``@engine.on(event)`` or ``engine.add_event_handler(event, handler)``."""
    found: List[Tuple[Optional[cst.BaseExpression], Scope, cst.CSTNode]] = []
    for func in model.functions:
        for decorator in func.node.decorators:
            marker = decorator.decorator
            if (
                isinstance(marker, cst.Call)
                and isinstance(marker.func, cst.Attribute)
                and marker.func.attr.value == "on"
            ):
                if marker.args and _names_event(model, marker.args[0].value, func.outer, event):
                    found.append((marker.func.value, func.outer, func.node))
    for call in model.calls_named("add_event_handler"):
        args = call.node.args
        if len(args) < 2 or not _names_event(model, args[0].value, call.scope, event):
            continue
        handler = args[1].value
        if isinstance(handler, cst.Lambda):
            found.append((call.receiver, call.scope, handler))
            continue
        target = model.resolve_function(handler, call.scope) if isinstance(handler, (cst.Name, cst.Attribute)) else None
        if target is not None and target.scope.node in model.order:
            found.append((call.receiver, call.scope, target.node))
    return found


def _names_event(model: SemanticModel, expr: cst.BaseExpression, scope, event: str) -> bool:
    """``Events.EPOCH_STARTED`` (also ``Events.EPOCH_STARTED(every=2)``)."""
    if isinstance(expr, cst.Call):
        expr = expr.func
    qualname: Optional[str] = model.qualname(expr, scope)
    return qualname == f"{_EVENTS}.{event}"
