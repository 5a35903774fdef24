"""Which ``if`` branches a statement runs on, and whether two statements can run in the same pass.

``if args.amp: opt.zero_grad(); scaler.step(opt) else: loss.backward(); opt.step()``: the clearing and
the second step sit on opposite branches of one test, so the plain step runs with nothing cleared.
Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel` (imported by its parts,
so it names the model only for type checking).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Mapping, Optional, Sequence, Set, Tuple

import libcst as cst

from nnlint.analysis.imports import dotted_name
from nnlint.analysis.symbols import FunctionInfo

if TYPE_CHECKING:
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


# ------------------------------------------------------------------------- configuration guards
@dataclass(frozen=True)
class Guard:
    """A test on the object's or the module's configuration that must hold (or fail) for a statement to run:
    ``if self.method == "binary": return torch.sigmoid(out)`` runs when ``self.method == "binary"`` holds."""

    test: str  # the test, one spelling for each (``not`` and ``!=`` taken out into ``holds``, literals normalised)
    holds: bool
    home: int  # what the test's names refer to: the class (``self.``) or the file (module globals)
    source: str = ""  # the test as written (``not`` taken out)
    source_holds: bool = True  # whether ``source`` holds where the guarded statement runs

    def describe(self) -> str:
        return self.source if self.source_holds else f"not {self.source}"


def configuration_guards(model: SemanticModel, node: cst.CSTNode, func: FunctionInfo) -> Optional[Tuple[Guard, ...]]:
    """The tests under which ``node`` runs inside ``func``: the ``if``/``else`` branches around it, and the
    ``if test: return`` statements before it (it runs when they fail). None when a test reads a parameter or
    a local of the function: then the caller chooses the branch (``if return_probs: ...``), not the
    configuration."""
    home = id(func.cls.node) if func.cls is not None else id(model)
    guards: List[Guard] = []
    previous: cst.CSTNode = node
    for ancestor in model.ancestors(node):
        if ancestor is func.node:
            break
        if isinstance(ancestor, cst.If) and (previous is ancestor.body or previous is ancestor.orelse):
            guard = _guard(model, ancestor.test, previous is ancestor.body, func, home)
            if guard is None:
                return None
            guards.append(guard)
        elif isinstance(ancestor, (cst.IndentedBlock, cst.Module)):
            for statement in ancestor.body:
                if statement is previous:
                    break
                if isinstance(statement, cst.If) and statement.orelse is None and _leaves(statement.body):
                    guard = _guard(model, statement.test, False, func, home)
                    if guard is None:
                        return None
                    guards.append(guard)
        previous = ancestor
    return tuple(guards)


def guards_conflict(first: Sequence[Guard], second: Sequence[Guard]) -> bool:
    """No run satisfies both sets of guards: one test must hold for one and fail for the other, or one
    attribute must equal two different literals (``self.mode == "binary"`` and ``self.mode == "multiclass"``)."""
    for a in first:
        for b in second:
            if a.home != b.home:
                continue
            if a.test == b.test and a.holds != b.holds:
                return True
            if a.holds and b.holds and a.test != b.test:
                left_a, _, literal_a = a.test.partition(" == ")
                left_b, _, literal_b = b.test.partition(" == ")
                value_a, value_b = _literal(literal_a), _literal(literal_b)
                if left_a == left_b and value_a is not None and value_b is not None and value_a != value_b:
                    return True
    return False


def _guard(
    model: SemanticModel, test: cst.BaseExpression, holds: bool, func: FunctionInfo, home: int
) -> Optional[Guard]:
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, holds = test.expression, not holds
    if not _reads_configuration(model, test, func):
        return None
    code = model.module.code_for_node
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        if isinstance(comparison.operator, (cst.Equal, cst.NotEqual)):
            # `self.mode != 'binary'` is `not (self.mode == "binary")`: one spelling for each test
            value = _literal(code(comparison.comparator))
            right = repr(value) if value is not None else code(comparison.comparator)
            equal = holds if isinstance(comparison.operator, cst.Equal) else not holds
            shown = f"{code(test.left)} {'==' if equal else '!='} {code(comparison.comparator)}"
            return Guard(f"{code(test.left)} == {right}", equal, home, shown, True)
    return Guard(code(test), holds, home, code(test), holds)


def _reads_configuration(model: SemanticModel, test: cst.BaseExpression, func: FunctionInfo) -> bool:
    """Every name the test reads is the method's ``self``, a module global or a builtin."""
    receiver = func.instance_param
    for name in model.descendants(test, cst.Name):
        if not isinstance(name, cst.Name):
            continue
        parent = model.parent.get(name)
        if isinstance(parent, cst.Attribute) and parent.attr is name:
            continue  # the attribute of `self.method`
        if name.value == receiver:
            continue
        binding = model.lookup(name.value, func.scope, model.order.get(name))
        if binding is not None and binding.scope.kind != "module":
            return False
    return True


def _leaves(body: cst.BaseSuite) -> bool:
    """The block ends by leaving the function (``return``/``raise``)."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    last = statements[-1] if statements else None
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(small, (cst.Return, cst.Raise)) for small in last.body)
    return isinstance(last, cst.SimpleStatementSuite) and any(
        isinstance(small, (cst.Return, cst.Raise)) for small in last.body
    )


def _literal(text: str) -> Optional[object]:
    """The value of a string or number literal (``"binary"`` and ``'binary'`` are one), None otherwise."""
    try:
        value = ast.literal_eval(text) if text else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def guards_existence_of(test: cst.BaseExpression, subject: cst.BaseExpression) -> bool:
    """Whether an ``if`` test only checks that ``subject`` exists: ``if scheduler:``,
    ``if self.scheduler is not None:``, ``if scheduler is not None and warmup_done:`` does not count. Such a
    branch runs whenever the object it uses does, so a rule about that object may read it as unconditional."""
    wanted = dotted_name(subject)
    if wanted is None:
        return False
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, cst.IsNot) and isinstance(target.comparator, cst.Name):
            return target.comparator.value == "None" and dotted_name(test.left) == wanted
        return False
    return dotted_name(test) == wanted
