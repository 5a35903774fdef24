"""Which ``if`` branches a statement runs on, and whether two statements can run in the same pass.

``if args.amp: opt.zero_grad(); scaler.step(opt) else: loss.backward(); opt.step()``: the clearing and
the second step sit on opposite branches of one test, so the plain step runs with nothing cleared.
Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import Set, Tuple

import libcst as cst

from nnlint.analysis.model import SemanticModel


def branch_tests(model: SemanticModel, node: cst.CSTNode) -> Tuple[Set[str], Set[str]]:
    """(tests that must hold, tests that must fail) for ``node`` to run, from the ``if`` statements around it."""
    holds: Set[str] = set()
    fails: Set[str] = set()
    previous: cst.CSTNode = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, cst.If):
            test = model.module.code_for_node(ancestor.test)
            if previous is ancestor.body:
                holds.add(test)
            elif previous is ancestor.orelse:
                fails.add(test)
        previous = ancestor
    return holds, fails


def exclusive(model: SemanticModel, first: cst.CSTNode, second: cst.CSTNode) -> bool:
    """``first`` and ``second`` sit on opposite branches of the same ``if`` test: they never run together."""
    holds, fails = branch_tests(model, first)
    other_holds, other_fails = branch_tests(model, second)
    return bool((holds & other_fails) or (fails & other_holds))


def guarded_together(model: SemanticModel, node: cst.CSTNode, other: cst.CSTNode, container: cst.CSTNode) -> bool:
    """Every condition ``node`` runs under inside ``container`` also holds for ``other``: each ``if``/``try``
    or nested loop around ``node`` (up to ``container``) has ``other`` in the same block.

    ``else: scheduler.step(); train(optimizer)``: whenever the scheduler steps, the optimizer steps too.
    """
    previous: cst.CSTNode = node
    for ancestor in model.ancestors(node):
        if ancestor is container:
            return True
        if isinstance(ancestor, (cst.If, cst.IfExp, cst.Try, cst.For, cst.While, cst.BooleanOperation, cst.Lambda)):
            if not within(model, previous, other):
                return False
        previous = ancestor
    return False


def within(model: SemanticModel, outer: cst.CSTNode, node: cst.CSTNode) -> bool:
    """``node`` lies in the subtree of ``outer`` (both of this file)."""
    start = model.order.get(outer)
    return start is not None and start <= model.order.get(node, -1) <= model.subtree_end.get(outer, start)
