"""ignite engines: the loop the framework runs around the user's process function.

``trainer = Engine(update)`` runs ``update(engine, batch)`` once per batch of whatever ``trainer.run(data,
max_epochs=n)`` is given; no ``for`` statement of the file shows that loop. An engine whose process function
backpropagates and steps an optimizer (through the helpers it calls) is a *training engine*: its
process function is the body of a training loop (its backward/step/zero_grad are one iteration, NN402,
NN404), and the data it runs over is a training loader (NN101). ``create_supervised_trainer(...)`` is one
too, with its body in ignite. An engine whose process function trains nothing (``Engine(evaluate_step)``)
is an *evaluator*: its forwards are evaluation (NN501), and ``evaluator.run(val_loader)`` runs its process
function at that point of the code, in the mode the model has there. ``create_supervised_evaluator`` sets
``model.eval()`` itself and needs nothing here.

Event handlers (``@trainer.on(Events.EPOCH_COMPLETED)``) are outside the process function: see
:mod:`nnlint.analysis.engine_events`.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.model import CallInfo, FunctionInfo, LoopInfo, Obj, Scope, SemanticModel
from nnlint.analysis.values import through_assignments

_ENGINES = frozenset(
    {
        "ignite.engine.Engine",
        "ignite.engine.engine.Engine",
        "ignite.engine.DeterministicEngine",
        "ignite.engine.deterministic.DeterministicEngine",
    }
)
_TRAINER_FACTORIES = frozenset({"ignite.engine.create_supervised_trainer"})
_EVALUATOR_FACTORIES = frozenset({"ignite.engine.create_supervised_evaluator"})
_MAX_HOPS = 4


@dataclass(eq=False)
class EngineInfo:
    """One ignite engine built in this file."""

    call: CallInfo  # Engine(fn) / create_supervised_trainer(...)
    process: Optional[FunctionInfo]  # the process function, when it is one of this file's functions
    training: bool
    # built by ignite's factory: its step sets the mode of the model it is given (train() / eval())
    factory_model: Optional[cst.BaseExpression] = None
    # the process function as the body of the engine's loop (one iteration per batch); None without one
    loop: Optional[LoopInfo] = None


def engines(model: SemanticModel) -> List[EngineInfo]:
    """The ignite engines built in this file (cached)."""
    return model.cached_analysis("ignite-engines", lambda: _find_engines(model))


def _find_engines(model: SemanticModel) -> List[EngineInfo]:
    found: List[EngineInfo] = []
    if not _imports_ignite(model):
        return found
    for call in model.calls:
        qualname = model.callee_qualname(call.node, call.scope)
        if qualname in _TRAINER_FACTORIES or qualname in _EVALUATOR_FACTORIES:
            given = model.argument(call.node, 0, "model")
            found.append(EngineInfo(call, None, qualname in _TRAINER_FACTORIES, factory_model=given))
            continue
        if qualname not in _ENGINES:
            continue
        passed = model.argument(call.node, 0, "process_function")
        if not isinstance(passed, (cst.Name, cst.Attribute)):
            continue
        process = model.resolve_function(passed, call.scope)
        if process is None or process.scope.node not in model.order:
            continue
        training = _trains(model, [process])
        # the loop has no statement of its own: its node is the process function (no `iter`, no parent)
        node: cst.For = process.node  # type: ignore[assignment]
        loop = LoopInfo(node, process.scope, process, None, model.order[process.node], list(process.calls))
        found.append(EngineInfo(call, process, training, loop=loop))
    return found


def _trains(model: SemanticModel, funcs: List[FunctionInfo]) -> bool:
    """Calling the functions backpropagates and steps an optimizer (through the helpers they call)."""
    reachable = model.reachable_calls([call for func in funcs for call in func.calls])
    return any(model.is_backward_call(c) for c in reachable) and any(
        model.optimizer_step_target(c) is not None for c in reachable
    )


def _imports_ignite(model: SemanticModel) -> bool:
    scopes = [model.module_scope, *(func.scope for func in model.functions)]
    return any(
        binding.kind == "import" and (binding.qualname or "").startswith("ignite")
        for scope in scopes
        for bindings in scope.bindings.values()
        for binding in bindings
    )


def engine_of(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[EngineInfo]:
    """The engine an expression holds: the constructing call itself, or a name a few assignments deep."""
    built: Dict[cst.CSTNode, EngineInfo] = {info.call.node: info for info in engines(model)}
    if not built:
        return None
    found = through_assignments(model, expr, scope, _MAX_HOPS)
    return built.get(found[0]) if found is not None and isinstance(found[0], cst.Call) else None


def engine_runs(model: SemanticModel) -> List[Tuple[CallInfo, EngineInfo]]:
    """``engine.run(data, ...)`` calls of this file's engines (cached)."""
    if not engines(model):
        return []
    return model.cached_analysis("ignite-runs", lambda: _find_runs(model))


def _find_runs(model: SemanticModel) -> List[Tuple[CallInfo, EngineInfo]]:
    runs: List[Tuple[CallInfo, EngineInfo]] = []
    for call in model.calls_named("run"):
        engine = engine_of(model, call.receiver, call.scope)
        if engine is not None:
            runs.append((call, engine))
    return runs


def training_engine_loops(model: SemanticModel) -> List[LoopInfo]:
    """The process functions of training engines, each as the body of its engine's loop."""
    return [info.loop for info in engines(model) if info.training and info.loop is not None]


def engine_train_loaders(model: SemanticModel) -> List[Tuple[CallInfo, Obj, cst.BaseExpression]]:
    """(the ``run`` call, the loader, the expression passed) for the data each training engine runs over."""
    from nnlint.analysis.loaders import loader_object  # loaders builds on the mode analysis, which uses engines

    found: List[Tuple[CallInfo, Obj, cst.BaseExpression]] = []
    for call, engine in engine_runs(model):
        passed = model.argument(call.node, 0, "data")
        if not engine.training or passed is None:
            continue
        obj = loader_object(model, passed, call.scope)
        if obj.kind == "loader":
            found.append((call, obj, passed))
    return found


def evaluator_process(model: SemanticModel, func: Optional[FunctionInfo]) -> bool:
    """``func`` is the process function of an engine that is run over some data and trains nothing, neither
    in its process function nor in its handlers (a reinforcement-learning engine that acts in its process
    function and updates the policy in an ``EPOCH_COMPLETED`` handler trains)."""
    if func is None:
        return False
    runs = engine_runs(model)
    if not runs:
        return False
    evaluators: Dict[int, bool] = model.cached_analysis("ignite-evaluators", dict)
    for _, engine in runs:
        if engine.process is not func:
            continue
        if id(engine) not in evaluators:
            handlers = [f for funcs in engine_handlers(model, engine).values() for f in funcs]
            evaluators[id(engine)] = not engine.training and not _trains(model, handlers)
        if evaluators[id(engine)]:
            return True
    return False


EVENTS_IN_ORDER = (
    "STARTED",
    "EPOCH_STARTED",
    "ITERATION_STARTED",
    "ITERATION_COMPLETED",
    "EPOCH_COMPLETED",
    "COMPLETED",
)


def engine_handlers(model: SemanticModel, engine: EngineInfo) -> Dict[str, List[FunctionInfo]]:
    """The handler functions of this file registered on ``engine``, per event (lambdas left out)."""
    table: Dict[int, Dict[str, List[FunctionInfo]]] = model.cached_analysis("ignite-handlers", dict)
    if id(engine) not in table:
        table[id(engine)] = _handlers_of(model, engine)
    return table[id(engine)]


def _handlers_of(model: SemanticModel, engine: EngineInfo) -> Dict[str, List[FunctionInfo]]:
    from nnlint.analysis.engine_events import registered_handlers

    functions: Dict[cst.CSTNode, FunctionInfo] = {func.node: func for func in model.functions}
    handlers: Dict[str, List[FunctionInfo]] = {}
    for event in EVENTS_IN_ORDER:
        for receiver, scope, node in registered_handlers(model, event):
            func = functions.get(node)
            if func is not None and engine_of(model, receiver, scope) is engine:
                handlers.setdefault(event, []).append(func)
    return handlers


def engine_driven_functions(model: SemanticModel) -> List[FunctionInfo]:
    """Process functions and handlers of the engines this file runs: ignite calls them, from ``run``."""
    driven: List[FunctionInfo] = []
    for engine in {id(engine): engine for _, engine in engine_runs(model)}.values():
        if engine.process is not None:
            driven.append(engine.process)
        for funcs in engine_handlers(model, engine).values():
            driven.extend(funcs)
    return driven


_RECURRING = ("EPOCH_STARTED", "ITERATION_STARTED", "ITERATION_COMPLETED", "EPOCH_COMPLETED")


def recurring_handlers(model: SemanticModel, process: FunctionInfo) -> List[FunctionInfo]:
    """The handlers run in every epoch or iteration of the engines whose process function is ``process``."""
    found: List[FunctionInfo] = []
    for engine in engines(model):
        if engine.process is process:
            handlers = engine_handlers(model, engine)
            found.extend(func for event in _RECURRING for func in handlers.get(event, []))
    return found


def functions_run_by_engine(model: SemanticModel, call: CallInfo) -> List[FunctionInfo]:
    """The process function and handlers of this file that ``engine.run(data)`` runs."""
    for run, engine in engine_runs(model):
        if run is call:
            handlers = engine_handlers(model, engine)
            process = [engine.process] if engine.process is not None else []
            return process + [func for event in EVENTS_IN_ORDER for func in handlers.get(event, [])]
    return []
