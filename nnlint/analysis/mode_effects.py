"""What calling a function does to the train/eval modes of the models it touches (a summary per call).

A user function's effect is computed once per set of literal arguments (``set_mode("eval", m)`` takes only the
branch its literal decides), a ``@contextmanager`` generator's effects before and after its ``yield`` are
applied on entering and leaving the ``with``, and models handed to a function that switches them one by one
in a loop become of unknown mode. :class:`ModeEffects` is the part of
:class:`~nnlint.analysis.modes.ModeAnalysis` that computes and applies these effects.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Set, Tuple

import libcst as cst

from nnlint.analysis.literal_arguments import NO_VALUE, Literals, condition_verdict, parameter_value
from nnlint.analysis.mode_states import KEEP, TRAIN, KeepState, Mode, State, body_statements, copy_state
from nnlint.analysis.mode_switches import switches_loop_variables
from nnlint.analysis.model import CallInfo, FunctionInfo, Obj, Scope, SemanticModel


class ModeEffects:
    """Function summaries and their application; the interpreter itself is the subclass's."""

    m: SemanticModel
    _summaries: Dict[Tuple[FunctionInfo, Literals], State]
    _summarising: Set[FunctionInfo]
    _literals: Optional[Tuple[Literals, FunctionInfo]]  # while summarising for a call's literals

    def _block(self, statements: Sequence[cst.CSTNode], state: State, record: bool, depth: int = 0) -> State:
        raise NotImplementedError

    def key(self, expr: cst.BaseExpression, scope: Scope) -> Tuple[Optional[object], Obj]:
        raise NotImplementedError

    def summary(self, func: FunctionInfo, literals: Literals = ()) -> State:
        """The effect of calling a function: key -> modes after it (KEEP = as before); with ``literals``, of a
        call that passes those literal arguments (its ``if mode == "eval":`` tests decided by them)."""
        key = (func, literals)
        if key in self._summaries:
            return self._summaries[key]
        if func in self._summarising:
            return {}
        self._summarising.add(func)
        outer, self._literals = self._literals, ((literals, func) if literals else None)
        try:
            exit_state = self._block(body_statements(func.node), KeepState(), record=False, depth=1)
        finally:
            self._summarising.discard(func)
            self._literals = outer
        effect = {key: modes for key, modes in exit_state.items() if modes != frozenset({KEEP})}
        self._summaries[key] = effect
        return effect

    def _literal_verdict(self, test: cst.BaseExpression) -> Optional[bool]:
        if self._literals is None:
            return None
        literals, func = self._literals
        return condition_verdict(self.m, test, literals, func)

    def _literal_mode(self, call: CallInfo) -> Optional[Mode]:
        """``m.train(flag)`` in a summary for a call that passes ``flag`` as a literal."""
        if self._literals is None or call.method_name != "train" or len(call.node.args) != 1:
            return None
        flag = call.node.args[0].value
        if not isinstance(flag, cst.Name):
            return None
        literals, func = self._literals
        value = parameter_value(self.m, flag, literals, func)
        if value is NO_VALUE:
            return None
        return TRAIN if value else ("eval", call.node)

    @staticmethod
    def _apply(effect: State, state: State) -> State:
        if not effect:
            return state
        result = copy_state(state)
        for key, modes in effect.items():
            if not modes:
                result.pop(key, None) if not isinstance(result, KeepState) else result.__setitem__(key, modes)
            elif KEEP in modes:
                if key in state:
                    result[key] = (modes - {KEEP}) | state[key]
                else:
                    result.pop(key, None)
            else:
                result[key] = modes
        return result

    def _context_manager_effects(self, item: cst.BaseExpression, with_node: cst.With) -> Tuple[State, State]:
        """(effect on entering, effect on leaving) of a ``with helper(model):`` written as a generator."""
        if not isinstance(item, cst.Call):
            return {}, {}
        scope = self.m.scope_of(with_node)
        target = self.m.resolve_function(item.func, scope)
        if target is None or target.scope.node not in self.m.order:
            return {}, {}
        statements = list(body_statements(target.node))
        split = next((i for i, s in enumerate(statements) if self.m.contains(s, cst.Yield)), None)
        if split is None:
            return {}, {}
        before = self._block(statements[:split], KeepState(), record=False, depth=1)
        after = self._block(statements[split:], KeepState(), record=False, depth=1)
        enter = {k: v for k, v in before.items() if v != frozenset({KEEP})}
        leave = {k: v for k, v in after.items() if v != frozenset({KEEP})}
        return enter, leave

    def _forget_handed_models(self, call: CallInfo, target: FunctionInfo, owner: SemanticModel, state: State) -> State:
        """After ``set_mode("eval", [encoder, decoder])`` whose body runs ``for m in models: m.eval()``: the
        models handed over (alone or in a list or tuple display) are in a mode this analysis cannot tell."""
        if not switches_loop_variables(owner, target):
            return state
        forgotten = copy_state(state)
        for arg in call.node.args:
            value = arg.value
            for item in [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]:
                key, _ = self.key(item, call.scope)
                forgotten.pop(key, None)
        return forgotten
