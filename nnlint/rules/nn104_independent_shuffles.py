from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Set

import libcst as cst

from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import CallInfo, Scope, SemanticModel
from nnlint.context import RuleContext
from nnlint.rule import Rule

_IN_PLACE_SHUFFLES = frozenset({"numpy.random.shuffle", "random.shuffle"})
_COPY_SHUFFLES = frozenset({"sklearn.utils.shuffle"})
_PERMUTATIONS = frozenset({"torch.randperm", "numpy.random.permutation"})
_RNG_FACTORIES = frozenset(
    {
        "numpy.random.default_rng",
        "numpy.random.RandomState",
        "numpy.random.Generator",
        "random.Random",
        "torch.Generator",
    }
)
_SEEDING = frozenset(
    {
        "numpy.random.seed",
        "numpy.random.set_state",
        "random.seed",
        "random.setstate",
        "torch.manual_seed",
        "torch.random.manual_seed",
        "torch.cuda.manual_seed",
        "torch.cuda.manual_seed_all",
        "torch.set_rng_state",
        "torch.random.set_rng_state",
    }
)


@dataclass(frozen=True)
class _Shuffle:
    target: str  # dotted name of the array that gets reordered
    permutation: object  # identity of the random order used; equal for one shared permutation
    node: cst.CSTNode
    order: int
    scope: Scope


class IndependentShuffles(Rule):
    """## What it does
    Finds inputs and labels (any two arrays used together) reordered by *separate* random draws:
    `np.random.shuffle(X); np.random.shuffle(y)`, `random.shuffle` on two parallel lists,
    `X = X[torch.randperm(n)]; y = y[torch.randperm(n)]`, or `sklearn.utils.shuffle` called on each alone.

    ## Why is this bad?
    Each call draws its own permutation, so after the two shuffles sample `i` of `X` is paired with the
    label of some other sample: the labels become noise. The model trains without error and simply
    learns nothing (accuracy near chance), which is easily blamed on the model.

    ## Example
    ```python
    import numpy as np

    X, y = load_arrays()
    np.random.shuffle(X)
    np.random.shuffle(y)
    dataset = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    ```

    ## Use instead
    ```python
    import numpy as np

    X, y = load_arrays()
    p = np.random.permutation(len(X))
    X, y = X[p], y[p]
    dataset = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    ```

    ## How to fix
    Draw one permutation and index every array with it (`p = np.random.permutation(len(X))`,
    `X, y = X[p], y[p]`), use `sklearn.utils.shuffle(X, y)`, shuffle a list of `(x, y)` pairs, or
    let the DataLoader shuffle (`shuffle=True`).
    """

    code = "NN104"
    name = "independent-shuffles"
    summary = "inputs and labels shuffled by separate random calls: pairs no longer match"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        shuffles = _in_place_shuffles(model) + _indexed_shuffles(model)
        if len(shuffles) < 2:
            return
        seeds = [call for call in model.calls if _reseeds(model, call)]
        by_scope: Dict[int, List[_Shuffle]] = {}
        for shuffle in shuffles:
            by_scope.setdefault(id(shuffle.scope), []).append(shuffle)
        reported: Set[int] = set()
        for group in by_scope.values():
            group.sort(key=lambda s: s.order)
            for i, first in enumerate(group):
                for second in group[i + 1 :]:
                    if first.target == second.target or first.permutation == second.permutation:
                        continue
                    if id(second.node) in reported:
                        continue
                    if any(first.order < s.order < second.order and s.scope is first.scope for s in seeds):
                        continue  # re-seeded in between: both draws repeat the same order
                    if not _paired(model, first, second):
                        continue
                    reported.add(id(second.node))
                    ctx.report(
                        second.node,
                        f"{first.target} and {second.target} are shuffled by separate random draws "
                        f"(line {model.line_of(first.node)} and here): their rows no longer correspond; "
                        "draw one permutation and index both with it",
                        evidence={"first": first.target, "second": second.target},
                    )


def _reseeds(model: SemanticModel, call: CallInfo) -> bool:
    """A call that resets a random state: ``np.random.seed(s)``, ``set_state``, or a freshly seeded generator."""
    qualname = model.callee_qualname(call.node, call.scope)
    if qualname in _SEEDING:
        return True
    return qualname in _RNG_FACTORIES and bool(call.node.args)


def _is_rng(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> bool:
    """Whether an expression is a random generator object (``rng = np.random.default_rng(0)``)."""
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if binding is None or binding.kind not in ("assign", "annassign") or binding.index is not None:
            return False
        expr_value = binding.value
        return isinstance(expr_value, cst.Call) and model.callee_qualname(expr_value, binding.scope) in _RNG_FACTORIES
    return False


def _in_place_shuffles(model: SemanticModel) -> List[_Shuffle]:
    found: List[_Shuffle] = []
    for call in model.calls:
        qualname = model.callee_qualname(call.node, call.scope)
        in_place = qualname in _IN_PLACE_SHUFFLES or (
            qualname is None
            and call.method_name == "shuffle"
            and call.receiver is not None
            and _is_rng(model, call.receiver, call.scope)
        )
        if in_place:
            array = model.argument(call.node, 0, "x")
            target = dotted_name(array) if array is not None else None
            if target:
                found.append(_Shuffle(target, id(call.node), call.node, call.order, call.scope))
        elif qualname in _COPY_SHUFFLES:
            arrays = [arg.value for arg in call.node.args if arg.keyword is None and not arg.star]
            if len(arrays) != 1 or any(arg.star for arg in call.node.args):
                continue
            target = dotted_name(arrays[0])
            seed = model.number(model.argument(call.node, None, "random_state"), call.scope)
            if target:
                found.append(
                    _Shuffle(
                        target,
                        ("random_state", seed) if seed is not None else id(call.node),
                        call.node,
                        call.order,
                        call.scope,
                    )
                )
    return found


def _permutation_call(model: SemanticModel, call: CallInfo) -> bool:
    qualname = model.callee_qualname(call.node, call.scope)
    if qualname in _PERMUTATIONS:
        return True
    return (
        qualname is None
        and call.method_name == "permutation"
        and call.receiver is not None
        and _is_rng(model, call.receiver, call.scope)
    )


def _indexed_shuffles(model: SemanticModel) -> List[_Shuffle]:
    """``A[p]`` where ``p`` is a random permutation (directly, sliced, or through a local name)."""
    permutations = {id(call.node): call for call in model.calls if _permutation_call(model, call)}
    if not permutations:
        return []
    found: List[_Shuffle] = []
    for node in list(model.order):
        if not isinstance(node, cst.Subscript) or len(node.slice) != 1:
            continue
        index = node.slice[0].slice
        if not isinstance(index, cst.Index):
            continue
        target = dotted_name(node.value)
        if target is None:
            continue
        scope = model.scope_of(node)
        permutation = _permutation_identity(model, index.value, scope, permutations)
        if permutation is not None:
            found.append(_Shuffle(target, permutation, node, model.order[node], scope))
    return found


def _permutation_identity(
    model: SemanticModel, expr: cst.BaseExpression, scope: Scope, permutations: Dict[int, CallInfo]
) -> Optional[int]:
    while isinstance(expr, cst.Subscript):  # perm[:batch]
        expr = expr.value
    if isinstance(expr, cst.Call):
        return id(expr) if id(expr) in permutations else None
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if (
            binding is None
            or binding.kind not in ("assign", "annassign")
            or binding.index is not None
            or binding.value is None
        ):
            return None
        value = binding.value
        while isinstance(value, cst.Subscript):
            value = value.value
        if isinstance(value, cst.Call) and id(value) in permutations:
            return id(value)
    return None


def _paired(model: SemanticModel, first: _Shuffle, second: _Shuffle) -> bool:
    """Whether two arrays travel together: bound by one statement, or later passed/returned together."""
    if "." not in first.target and "." not in second.target:
        statement = model.enclosing(first.node, cst.SimpleStatementLine) or first.node
        after = model.subtree_end.get(statement, first.order) + 1  # the bindings this statement makes
        a = model.lookup(first.target, first.scope, after)
        b = model.lookup(second.target, second.scope, after)
        if a is not None and b is not None and a.node is b.node and a.index is not None and b.index is not None:
            return True
    wanted = {first.target, second.target}
    for call in model.calls:
        if call.scope is not first.scope or call.order <= second.order:
            continue
        if wanted <= _names_in(call.node.args):
            return True
    func = first.scope.function
    for ret in func.returns if func is not None else []:
        if ret.value is not None and wanted <= _names_in([ret.value]):
            return True
    return False


def _names_in(items: object) -> Set[str]:
    """Dotted names read directly in call arguments / expressions (through subscripts, calls and tuples)."""
    names: Set[str] = set()
    stack: List[cst.CSTNode] = []
    for item in items:  # type: ignore[attr-defined]
        stack.append(item.value if isinstance(item, cst.Arg) else item)
    while stack:
        node = stack.pop()
        dotted = dotted_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        if dotted is not None:
            names.add(dotted)
            continue
        if isinstance(node, cst.Subscript):
            stack.append(node.value)
        elif isinstance(node, cst.Call):
            stack.extend(arg.value for arg in node.args)
        elif isinstance(node, (cst.Tuple, cst.List)):
            stack.extend(element.value for element in node.elements)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
    return names
