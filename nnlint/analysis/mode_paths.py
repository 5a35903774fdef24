"""Modes of a forward that runs inside a helper, judged on each call path.

A trainer often runs its model in one helper for both phases: ``train()`` and ``validate()`` each call
``self._forward_pass(batch)``, which calls ``self.model(x)``. Whether that forward is an evaluation or a
training step is a property of the call path (``validate -> _forward_pass -> self.model``), not of the
forward itself: judged once, in the helper, it is neither (the helper trains nothing and runs under
``no_grad`` on one path only). Here each call of a helper of the file is judged as if it were the
forward: an evaluation call (under ``no_grad``, in a validate-like function, in a forward-only loop)
reached in training mode is an NN501 path, a call whose result is backpropagated reached in eval mode an
NN502 path, with the modes the helper's own forward runs in from the state at that call.

Other files' evaluation helpers (``evaluate(model, loader)`` of ``utils/eval.py``) are judged where they
are called, by :meth:`ModeAnalysis._record_helper_evaluation`; both kinds land in
``helper_evaluations``, so NN501 reports them the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple

from nnlint.analysis.model import CallInfo, FunctionInfo, SemanticModel
from nnlint.analysis.modes import (
    KEEP,
    TRAIN,
    ForwardUse,
    State,
    _summaries_of,
    reaches_backward,
    is_evaluation_forward,
    is_training_forward,
    output_is_detached,
)

if TYPE_CHECKING:
    from nnlint.analysis.modes import ModeAnalysis


def judge_helper_paths(analysis: "ModeAnalysis") -> None:
    """Fill ``helper_evaluations`` and ``helper_trainings`` from the recorded calls of this file's helpers."""
    model = analysis.m
    own_forwards: Dict[FunctionInfo, bool] = {}
    judged: List[Tuple[bool, bool, CallInfo, FunctionInfo, State]] = []
    stepping: List[Tuple[bool, bool, CallInfo, FunctionInfo, State]] = []
    for call, helper, state in analysis.helper_call_states.values():
        if not state:
            continue
        if helper not in own_forwards:
            own_forwards[helper] = _runs_a_forward(analysis, helper)
        if not own_forwards[helper]:
            continue
        evaluation = is_evaluation_forward(model, call)
        if evaluation or (is_training_forward(model, call) and reaches_backward(model, call)):
            judged.append((evaluation, not evaluation, call, helper, state))
        elif _steps_itself(model, helper):
            # the helper runs the step itself (`self.train(loader)`, `model.train_emb(x)`): judged after the
            # helpers whose result is backpropagated, which name the training forward more closely
            stepping.append((False, True, call, helper, state))
    for evaluation, training, call, helper, state in judged + stepping:
        call_node = call.node
        for forward, obj, modes in analysis.forwards_through(helper, state).values():
            if is_evaluation_forward(model, forward) or is_training_forward(model, forward):
                continue  # the forward is judged by its own place already (rules report it there)
            if evaluation and TRAIN in modes and call_node not in analysis.helper_evaluations:
                analysis.helper_evaluations[call_node] = ForwardUse(call, obj, modes)
                analysis.helper_forwards[call_node] = (model, forward)
            elif training and any(mode == "eval" for mode, _ in modes) and call_node not in analysis.helper_trainings:
                analysis.helper_trainings[call_node] = ForwardUse(call, obj, modes)


def _runs_a_forward(analysis: "ModeAnalysis", helper: FunctionInfo) -> bool:
    """The helper calls a model, itself or through the functions of this file it calls (cheap test before
    re-running it from a call's state)."""
    model = analysis.m
    calls: List[CallInfo] = model.reachable_calls(c for c in helper.calls if c.function is helper)
    return any(model.called_object(c.node, c.scope).kind == "model" for c in calls)


def _steps_itself(model: SemanticModel, helper: FunctionInfo) -> bool:
    """The helper runs a backward or an optimizer step itself (``model.train_emb(x)`` of a wrapper object)."""
    reachable = model.reachable_calls(helper.calls)
    return any(model.is_backward_call(c) or model.optimizer_step_target(c) is not None for c in reachable)


def record_foreign_training(
    analysis: "ModeAnalysis", call: CallInfo, helper: FunctionInfo, owner: SemanticModel, state: State
) -> None:
    """A function of another file that runs a training step on the models it reaches (``model.train_emb(x)``
    of a wrapper object whose modules were switched by its own ``train_start()``/``val_start()``): an NN502
    path when a model its forwards run may be in eval mode here, at the call (switches over there are
    quoted by this call)."""
    if call.node in analysis.helper_trainings:
        return
    known = {key: modes for key, modes in state.items() if modes and KEEP not in modes}
    if not known or not _steps_itself(owner, helper) or is_evaluation_forward(analysis.m, call):
        return
    here = analysis.m.order
    for forward, obj, modes in _summaries_of(owner).forwards_through(helper, known).values():
        if is_training_forward(owner, forward):
            continue  # a forward of the helper's own loop: its own file judges it from its entry modes
        if owner.in_no_grad(forward) or output_is_detached(owner, forward):
            continue  # a frozen teacher's forward (`with torch.no_grad(): dist_model(x)`): eval on purpose
        quoted = frozenset((mode, origin if origin is None or origin in here else call.node) for mode, origin in modes)
        if any(mode == "eval" for mode, _ in quoted):
            analysis.helper_trainings[call.node] = ForwardUse(call, obj, quoted)
            return
