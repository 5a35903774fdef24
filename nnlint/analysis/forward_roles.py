"""Which forward calls evaluate a model and which train it, judged by what the code does around them.

An evaluation forward runs under ``no_grad``, in a validate/test-named function that scores and trains
nothing, or in a forward-only loop over a data loader that computes a loss or a metric. A training forward
feeds a backward or an optimizer step at its own loop level.
"""

from __future__ import annotations

import re

from typing import List, Optional, Set

import libcst as cst

from nnlint.analysis.held_out_batches import scores_held_out_batch
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import CallInfo, FunctionInfo, LoopInfo, SemanticModel
from nnlint.analysis.scoring import scores_in_other_file

_EVAL_FUNCTION_PREFIXES = ("val", "eval", "test", "predict", "infer", "score", "metric", "accuracy", "compute_acc")


def is_evaluation_forward(model: SemanticModel, call: CallInfo) -> bool:
    """A forward call on an evaluation path, judged by what the code does.

    - under ``no_grad``/``inference_mode`` (a block, a decorator, or only called from such), unless it
      runs inside an iteration that also trains (a sample image taken in the middle of GAN training,
      a target network's forward);
    - in a validate/test/evaluate-named function that trains nothing;
    - in a forward-only loop over a data loader that computes a loss or a metric (no backward, no step),
      with or without ``no_grad``.
    """
    if model.in_no_grad(call):
        return not _inside_training_iteration(model, call) or output_scored(model, call)
    func = call.function
    if func is not None and _named_and_acting_as_evaluation(model, func):
        return True
    from nnlint.analysis.ignite_engines import evaluator_process  # engines are built on the model only

    if evaluator_process(model, func):
        return True  # the process function of an ignite evaluator (`Engine(evaluate_step)`): metrics score it
    return in_forward_only_loop(model, call) or scores_held_out_batch(model, call)


def _named_and_acting_as_evaluation(model: SemanticModel, func: FunctionInfo) -> bool:
    """An evaluation-like name (``validate``, ``test_epoch``, ``predict``...) is one signal; the function
    must also score what it computes (a loss or a metric, not a printed shape), train nothing itself, and
    not hand its output to a caller that backpropagates it (``value_net``/``predict`` helpers in training)."""
    if not func.name.lower().lstrip("_").startswith(_EVAL_FUNCTION_PREFIXES):
        return False
    reachable = model.reachable_calls(func.calls)
    if any(model.is_backward_call(c) or model.optimizer_step_target(c) is not None for c in reachable):
        return False
    if not any(_scores(model, c) for c in reachable):
        return False
    return not any(reaches_backward(model, caller) for caller in model.callers(func))


def reaches_backward(model: SemanticModel, call: CallInfo, hops: int = 4) -> bool:
    """The call's result (through the names it is assigned to, a few assignments deep) is what a
    ``.backward()`` is called on, or part of it."""
    frontier: List[cst.CSTNode] = [call.node]
    seen: Set[int] = set()
    for _ in range(hops):
        next_frontier: List[cst.CSTNode] = []
        for node in frontier:
            if id(node) in seen:
                continue
            seen.add(id(node))
            statement: Optional[cst.CSTNode] = None
            for ancestor in model.ancestors(node):
                if isinstance(ancestor, cst.Call):
                    info = model.call_info.get(ancestor)
                    if info is not None and model.is_backward_call(info):
                        return True
                if isinstance(ancestor, cst.Assign):
                    statement = ancestor
                if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                    break
            if isinstance(statement, cst.Assign):
                scope = model.scope_of(statement)
                for target in statement.targets:
                    names = (
                        [target.target]
                        if isinstance(target.target, cst.Name)
                        else [e.value for e in getattr(target.target, "elements", []) if isinstance(e.value, cst.Name)]
                    )
                    for name in names:
                        binding = next((b for b in scope.bindings.get(name.value, []) if b.node is statement), None)
                        if binding is not None:
                            next_frontier.extend(model.uses_of(binding))
        frontier = next_frontier
    return False


def _inside_training_iteration(model: SemanticModel, call: CallInfo) -> bool:
    """The call's innermost loop itself runs a training step in each iteration (directly or via helpers),
    not only through a nested loop (an epoch loop around the batch loop does not count)."""
    if not call.loops:
        return False
    loop = call.loops[-1]
    own_level = [c for c in loop.calls if c.loops and c.loops[-1] is loop]
    return any(
        model.is_backward_call(c) or model.optimizer_step_target(c) is not None
        for c in model.reachable_calls(own_level)
    )


_METRIC_METHODS = frozenset({"argmax", "topk", "eq", "max"})
_METRIC_FUNCTIONS = frozenset({"torch.argmax", "torch.max", "torch.topk", "torch.eq"})
_METRIC_LIBRARIES = ("sklearn.metrics.", "torchmetrics.")
_METRIC_NAME = re.compile(
    r"(?:^|_)(?:dice|iou|miou|jaccard|accuracy|acc|f1|precision|recall|auc|psnr|ssim|bleu|rouge|wer|cer|"
    r"confusion)(?:$|_|\d|s$)",
    re.IGNORECASE,
)


def in_forward_only_loop(model: SemanticModel, call: CallInfo) -> bool:
    """The call's innermost loop draws batches from a data loader and computes a loss or a metric on
    them, without any backward or optimizer step (through helpers too): an evaluation loop."""
    if not call.loops:
        return False
    loop = call.loops[-1]
    if loop.iter is None or model.is_training_loop(loop) or not _iterates_a_loader(model, loop):
        return False
    return any(_scores(model, inner) for inner in model.reachable_calls(loop.calls))


def _scores(model: SemanticModel, call: CallInfo) -> bool:
    """A loss or a metric computation (``criterion(out, y)``, ``out.argmax(1)``, ``torch.max(out, 1)``)."""
    if _scores_here(model, call):
        return True
    return scores_in_other_file(model, call, _scores_here)  # `decoder.decode(out)` of another project file


def _scores_here(model: SemanticModel, call: CallInfo) -> bool:
    if model.loss_kind(call.node, call.scope) is not None:
        return True
    qualname = model.callee_qualname(call.node, call.scope)
    if call.method_name in _METRIC_METHODS or qualname in _METRIC_FUNCTIONS:
        return True
    if qualname is not None and qualname.startswith(_METRIC_LIBRARIES):
        return True  # `sklearn.metrics.f1_score(y, pred)`, `torchmetrics.Accuracy(...)`
    return _is_project_metric(model, call)


def _is_project_metric(model: SemanticModel, call: CallInfo) -> bool:
    """A function of the project that names itself a metric (``dice_coeff``, ``compute_iou``,
    ``accuracy``): a segmentation or detection validation scores with its own such helpers."""
    func = call.node.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else None
    if name is None or not _METRIC_NAME.search(name):
        return False
    return model.resolve_function(func, call.scope) is not None


def output_scored(model: SemanticModel, call: CallInfo) -> bool:
    """The forward's output reaches a loss or a metric (directly, or through the name it is assigned to):
    it is being evaluated, not sampled or saved."""
    consumers: List[cst.CSTNode] = [call.node]
    parent = model.parent.get(call.node)
    if (
        isinstance(parent, cst.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0].target, (cst.Name, cst.Tuple))
    ):
        target = parent.targets[0].target
        names = (
            [target]
            if isinstance(target, cst.Name)
            else [e.value for e in target.elements if isinstance(e.value, cst.Name)]
        )
        for name in names:
            binding = next((b for b in call.scope.bindings.get(name.value, []) if b.node is parent), None)
            if binding is not None:
                consumers.extend(model.uses_of(binding))
    for consumer in consumers:
        for ancestor in model.ancestors(consumer):
            if isinstance(ancestor, cst.Call):
                info = model.call_info.get(ancestor)
                if info is not None and _scores(model, info):
                    return True
            if isinstance(ancestor, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                break
    return False


def _iterates_a_loader(model: SemanticModel, loop: LoopInfo) -> bool:
    from nnlint.analysis.loaders import iterated_loader  # loaders builds on modes' model queries

    if iterated_loader(model, loop.iter, loop.scope):
        return True
    source = loop.iter
    while (
        isinstance(source, cst.Call)
        and source.args
        and dotted_name(source.func) in ("enumerate", "tqdm", "tqdm.tqdm", "iter")
    ):
        source = source.args[0].value
    name = dotted_name(source) if source is not None else None
    return name is not None and "loader" in name.rsplit(".", 1)[-1].lower()


def is_training_forward(model: SemanticModel, call: CallInfo) -> bool:
    """A forward call that feeds a training step: backward/step happen at the same loop level (or below, via helpers).

    A validation forward inside the epoch loop is not one: the epoch loop trains only through its inner
    batch loop, not at the forward's own level.
    """
    if model.in_no_grad(call) or output_is_detached(model, call) or scores_held_out_batch(model, call):
        return False
    level = call.loops[-1] if call.loops else None
    siblings = [
        c
        for c in (call.function.calls if call.function is not None else model.calls)
        if (c.loops[-1] if c.loops else None) is level and (call.function is not None or c.function is None)
    ]
    return any(
        model.is_backward_call(c) or model.optimizer_step_target(c) is not None for c in model.reachable_calls(siblings)
    )


_DETACHING_METHODS = ("detach", "item", "tolist", "numpy")


def output_is_detached(model: SemanticModel, call: CallInfo) -> bool:
    """The forward's result is cut from the graph in the same expression (``target_net(x).max(1)[0].detach()``).

    Such a forward trains nothing (a DQN target network, a frozen teacher), whatever loop it sits in.
    """
    current: cst.CSTNode = call.node
    for parent in model.ancestors(call.node):
        if isinstance(parent, cst.Attribute) and parent.value is current:
            if parent.attr.value in _DETACHING_METHODS:
                return True
        elif not (
            (isinstance(parent, cst.Call) and parent.func is current)
            or (isinstance(parent, cst.Subscript) and parent.value is current)
        ):
            return False
        current = parent
    return False


def training_steps_of(model: SemanticModel, call: CallInfo) -> List[CallInfo]:
    """The backward/step calls that make ``call`` a training forward (same loop level, helpers included)."""
    level = call.loops[-1] if call.loops else None
    siblings = [
        c
        for c in (call.function.calls if call.function is not None else model.calls)
        if (c.loops[-1] if c.loops else None) is level and (call.function is not None or c.function is None)
    ]
    return [
        c
        for c in model.reachable_calls(siblings)
        if model.is_backward_call(c) or model.optimizer_step_target(c) is not None
    ]
