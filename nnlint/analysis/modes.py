"""Train/eval mode of each model at each forward call, by abstract interpretation of the source.

A model is in training mode when constructed; ``.eval()`` / ``.train(False)`` and ``.train()`` switch it.
The analysis walks statements in order, runs loop bodies twice (so a mode set at the end of an epoch
reaches the start of the next), joins the branches of ``if``/``try``, applies the effect of user
functions at their call sites (``validate(model)`` that calls ``model.eval()`` inside), of context
managers written as ``@contextmanager`` generators (effects before and after their ``yield``), and
propagates each function's entry mode from all its callers. The result is, for every forward call of a
model, the set of modes it may run in, each eval mode with the ``.eval()`` call that set it.

Where the mode cannot be known (a function nobody in the file calls, ``model.train(flag)``) the model's
mode is unknown and rules stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.branches import built_on_this_path
from nnlint.analysis.forward_roles import (  # noqa: F401 (re-exported: the rules import them from here)
    in_forward_only_loop,
    is_evaluation_forward,
    is_training_forward,
    output_is_detached,
    output_scored,
    reaches_backward,
    training_steps_of,
)
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.literal_arguments import Literals, literal_arguments
from nnlint.analysis.mode_effects import ModeEffects
from nnlint.analysis.mode_states import (  # noqa: F401 (re-exported: the rules import them from here)
    KEEP,
    TRAIN,
    KeepState,
    Mode,
    Modes,
    State,
)
from nnlint.analysis.mode_states import body_statements as _body_statements
from nnlint.analysis.mode_states import copy_state as _copy
from nnlint.analysis.mode_states import join as _join
from nnlint.analysis.mode_states import join_all as _join_all
from nnlint.analysis.mode_states import twice as _twice
from nnlint.analysis.mode_switches import (  # noqa: F401 (re-exported: the rules import them from here)
    excluded_by_branch,
    mode_chosen_by_condition,
    mode_set_in_loop,
    switches_loop_variables,
)
from nnlint.analysis.model import CallInfo, FunctionInfo, Obj, Scope, SemanticModel
from nnlint.analysis.nodetypes import node_types
from nnlint.analysis.objects import GENERATION_METHODS

if TYPE_CHECKING:
    from nnlint.analysis.ignite_engines import EngineInfo

_MAX_ROUNDS = 6
_MAX_CALL_DEPTH = 4
_SIMPLE_LINES = node_types(cst.SimpleStatementLine)
_SMALL_STATEMENTS = node_types(cst.BaseSmallStatement)


@dataclass
class ForwardUse:
    """One forward call of a model and the modes it may run in."""

    call: CallInfo
    model: Obj
    modes: Modes


class ModeAnalysis(ModeEffects):
    """Computes :class:`ForwardUse` records for one file's semantic model."""

    def __init__(self, model: SemanticModel, run: bool = True) -> None:
        self.m = model
        self.uses: Dict[cst.Call, ForwardUse] = {}
        # calls of another file's evaluation helper (``evaluate_model(model, loader)``), with the modes the
        # model they are given may be in; ``helper_forwards`` names the forward inside the helper
        self.helper_evaluations: Dict[cst.Call, ForwardUse] = {}
        self.helper_forwards: Dict[cst.Call, Tuple[SemanticModel, CallInfo]] = {}
        # calls of a helper of this file that runs a forward (``self._forward_pass(x, y)``) on a training
        # path, with the modes the model may be in when the helper's forward runs (NN502)
        self.helper_trainings: Dict[cst.Call, ForwardUse] = {}
        # the state at each call of a helper of this file (modes of every model there), over all rounds
        self.helper_call_states: Dict[cst.Call, Tuple[CallInfo, FunctionInfo, State]] = {}
        from nnlint.analysis.ignite_engines import engine_driven_functions, engine_runs  # built on the model only

        self._engine_runs = {call.node: engine for call, engine in engine_runs(model)}
        self._engine_driven = set(engine_driven_functions(model)) if self._engine_runs else set()
        self._probe: Optional[Tuple[FunctionInfo, Dict[cst.Call, Tuple[CallInfo, Obj, Modes]]]] = None
        self._probed: Set[FunctionInfo] = set()  # the probed helper and the functions of this file it runs
        self._summaries: Dict[Tuple[FunctionInfo, Literals], State] = {}
        self._literals: Optional[Tuple[Literals, FunctionInfo]] = None  # while summarising for a call's literals
        self._summarising: Set[FunctionInfo] = set()
        self._entries: Dict[FunctionInfo, State] = {}
        self._analysed_with: Dict[FunctionInfo, State] = {}
        self._statement_calls = self._calls_by_statement()
        if run:
            self._run()

    # ------------------------------------------------------------------------------------ keys
    def key(self, expr: cst.BaseExpression, scope: Scope) -> Tuple[Optional[object], Obj]:
        obj = self.m.object_of(expr, scope)
        if obj.kind != "model":
            return None, obj
        if obj.node is not None:
            return obj.node, obj
        dotted = dotted_name(expr)
        return (scope.node, dotted) if dotted else None, obj

    # ------------------------------------------------------------------------------- structure
    def _calls_by_statement(self) -> Dict[cst.CSTNode, List[CallInfo]]:
        table: Dict[cst.CSTNode, List[CallInfo]] = {}
        statements = node_types((cst.SimpleStatementLine, cst.BaseCompoundStatement))
        parent = self.m.parent
        for call in self.m.calls:
            for ancestor in self.m.ancestors(call.node):
                if type(ancestor) in statements or (
                    # `if epoch > 100: net.train()` on one line: the call is its body's, not the header's
                    type(ancestor) in _SMALL_STATEMENTS and type(parent.get(ancestor)) is cst.SimpleStatementSuite
                ):
                    table.setdefault(ancestor, []).append(call)
                    break
        # in evaluation order: a call's receiver and arguments before the call (`build().eval()`,
        # `evaluate(model.eval())`), siblings left to right
        end = self.m.subtree_end
        for calls in table.values():
            calls.sort(key=lambda c: (end.get(c.node, c.order), -c.order))
        return table

    # -------------------------------------------------------------------------------- driving
    def _run(self) -> None:
        self._block(self.m.module.body, {}, record=True)
        self._rounds()
        # Functions nobody in this file calls (called from another module, or by a framework) run from an
        # unknown state: only the modes they set themselves are known inside them.
        for func in self.m.functions:
            if func not in self._entries and not self.m.callers(func) and func not in self._engine_driven:
                self._entries[func] = {}
        self._rounds()
        from nnlint.analysis.mode_paths import judge_helper_paths  # built on this module's queries

        judge_helper_paths(self)

    def _rounds(self) -> None:
        for _ in range(_MAX_ROUNDS):
            changed = False
            for func, entry in list(self._entries.items()):
                if self._analysed_with.get(func) == entry:
                    continue
                self._analysed_with[func] = dict(entry)
                self._block(_body_statements(func.node), dict(entry), record=True)
                changed = True
            if not changed:
                break

    # ------------------------------------------------------------------------------ interpreter
    def _block(self, statements: Sequence[cst.CSTNode], state: State, record: bool, depth: int = 0) -> State:
        for statement in statements:
            state = self._statement(statement, state, record, depth)
        return state

    def _statement(self, node: cst.CSTNode, state: State, record: bool, depth: int) -> State:
        if type(node) in _SIMPLE_LINES:  # most statements: none of the compound ones below (a fast exact test)
            return self._calls(self._statement_calls.get(node, []), state, record, depth)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return state
        if isinstance(node, cst.If):
            state = self._calls(self._header_calls(node), state, record, depth)
            verdict = self._literal_verdict(node.test)
            if verdict is not None:  # `if mode == "eval":` in a summary for `set_mode("eval", m)`
                if verdict:
                    return self._block(_body_statements(node), state, record, depth)
                return self._statement(node.orelse, state, record, depth) if node.orelse is not None else state
            taken = self._block(_body_statements(node), _copy(state), record, depth)
            other = self._statement(node.orelse, _copy(state), record, depth) if node.orelse is not None else state
            joined = _join(taken, other)
            for branch, modes in ((node.body, taken), (node.orelse, other)):
                for key in set(modes) - set(joined):  # built on one path only (`if resume: m = load() else: m = Net()`)
                    if branch is not None and modes[key] and built_on_this_path(self.m, key, branch, state):
                        joined[key] = modes[key]
            return joined
        if isinstance(node, cst.Else):
            return self._block(_body_statements(node), state, record, depth)
        if isinstance(node, (cst.For, cst.While)):
            state = self._calls(self._header_calls(node), state, record, depth)
            first = self._block(_body_statements(node), _copy(state), record, depth)
            head = _join(state, first)
            second = self._block(_body_statements(node), _copy(head), record, depth)
            after = _join(head, second)
            if node.orelse is not None:
                after = self._block(_body_statements(node.orelse), after, record, depth)
            return after
        if isinstance(node, cst.With):
            state = self._calls(self._header_calls(node), state, record, depth)
            exits: List[State] = []
            for item in node.items:
                enter, leave = self._context_manager_effects(item.item, node)
                state = self._apply(enter, state)
                exits.append(leave)
            state = self._block(_body_statements(node), state, record, depth)
            for leave in reversed(exits):
                state = self._apply(leave, state)
            return state
        if isinstance(node, cst.Try):
            body = self._block(_body_statements(node), _copy(state), record, depth)
            result = body
            for handler in node.handlers:
                result = _join(result, self._block(_body_statements(handler), _copy(state), record, depth))
            if node.orelse is not None:
                result = self._block(_body_statements(node.orelse), result, record, depth)
            if node.finalbody is not None:
                result = self._block(_body_statements(node.finalbody), result, record, depth)
            return result
        return self._calls(self._statement_calls.get(node, []), state, record, depth)

    def _header_calls(self, node: cst.CSTNode) -> List[CallInfo]:
        return self._statement_calls.get(node, [])

    def _calls(self, calls: Iterable[CallInfo], state: State, record: bool, depth: int) -> State:
        for call in calls:
            state = self._call(call, state, record, depth)
        return state

    def _call(self, call: CallInfo, state: State, record: bool, depth: int) -> State:
        method = call.method_name
        if method in ("train", "eval") and call.receiver is not None:
            key, _ = self.key(call.receiver, call.scope)
            if key is None:
                # `self.train(loader)` of a trainer class is a user method, not a mode switch
                return self._user_function_call(call, state, record, depth)
            mode = self._mode_set_by(call) or self._literal_mode(call)
            state = _copy(state)
            state[key] = frozenset({mode}) if mode is not None else frozenset()  # empty: unknown
            return state
        built = self.m.object_of(call.node, call.scope)
        if built.kind == "model" and built.node is call.node:
            qualname = self.m.callee_qualname(call.node, call.scope) or ""
            if api.loads_in_eval_mode(qualname) and api.transformers_model_class(qualname) is not None:
                return state  # Hugging Face's from_pretrained hands it back in eval mode: left unknown here
            state = _copy(state)
            state[call.node] = frozenset({TRAIN})  # a freshly built model starts in training mode
            return state
        obj = self.m.run_object(call.node, call.scope)
        if obj.kind == "model":
            key, _ = self.key(_module_expression(call.node), call.scope)
            if self._probe is not None and call.function in self._probed:
                self._probe_forward(call, obj, key, state)
            if record and key is not None and key in state and state[key] and KEEP not in state[key]:
                previous = self.uses.get(call.node)
                modes = state[key] | (previous.modes if previous else frozenset())
                self.uses[call.node] = ForwardUse(call, obj, modes)
            return state
        return self._user_function_call(call, state, record, depth)

    def _user_function_call(self, call: CallInfo, state: State, record: bool, depth: int) -> State:
        """The effect of a call of a user function (of this file or another project file) on the modes."""
        engine = self._engine_runs.get(call.node) if self._engine_runs else None
        if engine is not None:
            return self._engine_run(engine, call, state, record)
        if depth > _MAX_CALL_DEPTH:
            return state
        target = self.m.resolve_function(call.node.func, call.scope) or self._constructor_of(call)
        if target is None:
            # a function picked from a literal table (`load = LOADERS[kind]; load(name)`): any of them may run
            from nnlint.analysis.returned_items import called_functions  # built on the model's queries

            targets = called_functions(self.m, call.node.func, call.scope)
            after = [self._call_target(call, each, _copy(state), record, depth) for each in targets]
            if not after:
                return state
            joined = _join_all(after)
            for each in after:  # a model built by one of them only: in the mode it was built in
                for key in set(each) - set(joined) - set(state):
                    joined[key] = each[key]
            return joined
        return self._call_target(call, target, state, record, depth)

    def _constructor_of(self, call: CallInfo) -> Optional[FunctionInfo]:
        """``Learning(k, fields)`` of a user class that is not a module: its ``__init__`` runs here (and may
        build the model it keeps, ``self.model = Model()``, in training mode)."""
        func = call.node.func
        if not isinstance(func, cst.Name):
            return None
        binding = self.m.lookup(func.value, call.scope, self.m.order.get(func))
        if binding is None or binding.kind not in ("class", "import"):
            return None  # only a class of this file or an imported one is constructed by calling its name
        cls = self.m.resolve_class(func, call.scope)
        if cls is None or cls.owner.is_module_class(cls):
            return None
        return cls.owner.method_of(cls, "__init__")

    def _call_target(self, call: CallInfo, target: FunctionInfo, state: State, record: bool, depth: int) -> State:
        if target.scope.node not in self.m.order:
            # a helper of another project file (`eval_net(net, ...)` from utils/eval.py): its effect on the
            # models it is given, from that file's own analysis (its parameters resolve to our objects)
            owner = self.m.owner_of(target)
            if owner is None or owner is self.m:
                return state
            # modes set over there are quoted here by the call that sets them (findings stay in this file)
            summary = _summaries_of(owner).summary(target, literal_arguments(self.m, call.node, target))
            effect = {
                key: frozenset(
                    (mode, call.node if origin is not None and origin not in self.m.order else origin)
                    for mode, origin in modes
                )
                for key, modes in summary.items()
            }
            if record:
                self._record_helper_evaluation(call, target, owner, state)
                from nnlint.analysis.mode_paths import record_foreign_training  # built on this module's queries

                record_foreign_training(self, call, target, owner, state)
            return self._forget_handed_models(call, target, owner, self._apply(effect, state))
        if record:
            entry = self._entries.get(target)
            self._entries[target] = _copy(state) if entry is None else _join(entry, state)
            self._record_helper_call(call, target, state)
        if self._probe is not None and target not in self._probed:
            # probing a helper: the functions it runs are stepped through too (``train_emb`` -> ``forward_emb``)
            self._probed.add(target)
            return self._block(_body_statements(target.node), _copy(state), record=False, depth=depth + 1)
        effect = self.summary(target, literal_arguments(self.m, call.node, target))
        return self._forget_handed_models(call, target, self.m, self._apply(effect, state))

    def _engine_run(self, engine: "EngineInfo", run: CallInfo, state: State, record: bool) -> State:
        """``engine.run(data)`` of an ignite engine: its handlers and process function in the order ignite
        runs them, the epoch and iteration loops each run twice (as ``for`` loops are)."""
        from nnlint.analysis.ignite_engines import engine_handlers

        handlers = engine_handlers(self.m, engine)

        def enter(event: str, state: State) -> State:
            for func in handlers.get(event, []):
                state = self._enter(func, state, record)
            return state

        def step(state: State) -> State:
            if engine.process is not None:
                return self._enter(engine.process, state, record)
            key = self.key(engine.factory_model, engine.call.scope)[0] if engine.factory_model is not None else None
            if key is None:
                return state
            state = _copy(state)  # ignite's supervised steps call model.train() / model.eval() themselves
            state[key] = frozenset({TRAIN if engine.training else ("eval", run.node)})  # set by `evaluator.run`
            return state

        def iteration(state: State) -> State:
            return enter("ITERATION_COMPLETED", step(enter("ITERATION_STARTED", state)))

        def epoch(state: State) -> State:
            return enter("EPOCH_COMPLETED", _twice(iteration, enter("EPOCH_STARTED", state)))

        return enter("COMPLETED", _twice(epoch, enter("STARTED", state)))

    def _enter(self, func: FunctionInfo, state: State, record: bool) -> State:
        """A function of this file run with ``state`` by a framework (no call in the source)."""
        if record:
            entry = self._entries.get(func)
            self._entries[func] = _copy(state) if entry is None else _join(entry, state)
        return self._apply(self.summary(func), state)

    def _record_helper_call(self, call: CallInfo, target: FunctionInfo, state: State) -> None:
        known = {key: modes for key, modes in state.items() if modes and KEEP not in modes}
        previous = self.helper_call_states.get(call.node)
        if previous is not None:
            for key, modes in previous[2].items():
                known[key] = known.get(key, frozenset()) | modes
        self.helper_call_states[call.node] = (call, target, known)

    def forwards_through(self, helper: FunctionInfo, state: State) -> Dict[cst.Call, Tuple[CallInfo, Obj, Modes]]:
        """The forwards in ``helper``'s body, and in the functions of this file it runs, with the modes they run
        in when the helper is entered with ``state`` (the mode switches met on the way applied)."""
        outer, outer_probed = self._probe, self._probed
        self._probe, self._probed = (helper, {}), {helper}
        try:
            self._block(_body_statements(helper.node), _copy(state), record=False, depth=1)
            return self._probe[1]
        finally:
            self._probe, self._probed = outer, outer_probed

    def _probe_forward(self, call: CallInfo, obj: Obj, key: Optional[object], state: State) -> None:
        assert self._probe is not None
        if key is None or not state.get(key) or KEEP in state[key]:
            return
        found = self._probe[1]
        previous = found.get(call.node)
        found[call.node] = (call, obj, state[key] | (previous[2] if previous else frozenset()))

    def _record_helper_evaluation(
        self, call: CallInfo, helper: FunctionInfo, owner: SemanticModel, state: State
    ) -> None:
        """A helper of another file that evaluates a model it is given, without setting its mode itself:
        the mode is the one the model has here, at the call (the helper's own file cannot know it)."""
        if helper.cls is not None:
            return
        sets_mode = {
            c.receiver.value
            for c in owner.reachable_calls(helper.calls)
            if c.method_name in ("train", "eval") and isinstance(c.receiver, cst.Name)
        }
        for forward in helper.calls:
            func = forward.node.func
            if not isinstance(func, cst.Name) or func.value not in helper.params or func.value in sets_mode:
                continue
            if not is_evaluation_forward(owner, forward):
                continue
            argument = self.m.argument(call.node, helper.params.index(func.value), func.value)
            if argument is None:
                continue
            key, obj = self.key(argument, call.scope)
            if key is None or not state.get(key) or KEEP in state[key]:
                continue
            previous = self.helper_evaluations.get(call.node)
            modes = state[key] | (previous.modes if previous else frozenset())
            self.helper_evaluations[call.node] = ForwardUse(call, obj, modes)
            self.helper_forwards[call.node] = (owner, forward)
            return

    @staticmethod
    def _mode_set_by(call: CallInfo) -> Optional[Mode]:
        if call.method_name == "eval":
            return ("eval", call.node)
        args = call.node.args
        if not args:
            return TRAIN
        value = args[0].value
        if isinstance(value, cst.Name) and value.value in ("True", "False"):
            return TRAIN if value.value == "True" else ("eval", call.node)
        return None


def _module_expression(call: cst.Call) -> cst.BaseExpression:
    """The module a forward call runs: ``model`` in ``model(x)``, ``model.forward(x)`` and ``model.generate(x)``."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in ("forward", "__call__", *GENERATION_METHODS):
        return func.value
    return func


def _summaries_of(model: SemanticModel) -> ModeAnalysis:
    """An analysis of another file used only for the effects of its functions (no forward uses recorded)."""
    return model.cached_analysis("mode-summaries", lambda: ModeAnalysis(model, run=False))


def mode_analysis(model: SemanticModel) -> ModeAnalysis:
    """The (cached) mode analysis of a file."""
    return model.cached_analysis("modes", lambda: ModeAnalysis(model))
