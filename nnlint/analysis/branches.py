"""Which ``if`` branches a statement runs on, and whether two statements can run in the same pass.

``if args.amp: opt.zero_grad(); scaler.step(opt) else: loss.backward(); opt.step()``: the clearing and
the second step sit on opposite branches of one test, so the plain step runs with nothing cleared.
Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import Mapping, Set, Tuple

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


def built_on_this_path(model: SemanticModel, key: object, branch: cst.CSTNode, before: Mapping[object, object]) -> bool:
    """A model object that comes into being on one branch only: keyed by its construction call, unknown
    before the ``if``, and built in the branch itself (``raw_model = Net()``) or by a function of another
    file called there (``raw_model, ckpt = load_checkpoint(path)`` building ``Net(cfg)`` over there).

    On the other path that object does not exist, so its mode after the ``if`` is the one it has on this
    path (``if resume: model = load() else: model = Net()``: a fresh model on both paths, in training mode)."""
    if not isinstance(key, cst.Call) or key in before:
        return False
    if key not in model.order:
        return True  # a node of another file: only a call made on this path can have put it in the state
    if within(model, branch, key):
        return True
    home = model.scope_of(branch)
    built_in = model.scope_of(key)
    # built in the body of another function of this file (a factory), which only a call can run
    return built_in.function is not None and built_in.node is not home.node and not within(model, built_in.node, branch)
