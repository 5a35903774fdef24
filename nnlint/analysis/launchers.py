"""Launchers that hand back what they are given, and run backward for the user.

Hugging Face ``accelerate`` (``model, opt, dl = accelerator.prepare(model, opt, dl)``,
``accelerator.backward(loss)``), Lightning Fabric (``model, opt = fabric.setup(model, opt)``,
``fabric.setup_dataloaders(dl)``, ``fabric.backward(loss)``), NVIDIA apex (``model, opt =
amp.initialize(model, opt)``) and Intel's extension (``model, opt = ipex.optimize(model, optimizer=opt)``)
wrap each object they are given and return it in the same position: the model stays the model (same
layers, same mode semantics), the loader stays the loader, so every analysis sees through them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from nnlint.analysis.symbols import Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

# the launcher class -> its methods that return their arguments, wrapped, in order
_ACCELERATE_METHODS = frozenset(
    {"prepare", "prepare_model", "prepare_optimizer", "prepare_data_loader", "prepare_scheduler"}
)
_FABRIC_METHODS = frozenset({"setup", "setup_module", "setup_optimizers", "setup_dataloaders"})
_PASS_THROUGH_METHODS = {
    "accelerate.Accelerator": _ACCELERATE_METHODS,
    "accelerate.accelerator.Accelerator": _ACCELERATE_METHODS,
    "lightning.Fabric": _FABRIC_METHODS,
    "lightning.fabric.Fabric": _FABRIC_METHODS,
    "lightning_fabric.Fabric": _FABRIC_METHODS,
}
_PASS_THROUGH_FUNCTIONS = frozenset({"apex.amp.initialize", "intel_extension_for_pytorch.optimize"})
# the launcher class -> its method that backpropagates its first argument
_BACKWARD_METHODS = {name: "backward" for name in _PASS_THROUGH_METHODS}


def launcher_class(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Optional[str]:
    """The launcher class an expression holds (``accelerator`` bound to ``Accelerator(...)``), if any."""
    if depth > 4:
        return None
    if isinstance(expr, cst.Call):
        qualname = model.callee_qualname(expr, scope)
        return qualname if qualname in _PASS_THROUGH_METHODS else None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is None or binding.value is None or binding.index is not None:
            return None
        if binding.kind in ("assign", "annassign", "walrus"):
            return launcher_class(model, binding.value, binding.scope, depth + 1)
        return None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        cls = model._self_class(expr.value, scope)
        if cls is None:
            return None
        for binding in cls.attributes.get(expr.attr.value, []):
            if binding.value is not None and binding.index is None:
                found = launcher_class(model, binding.value, binding.scope, depth + 1)
                if found is not None:
                    return found
    return None


def passes_through(model: "SemanticModel", call: cst.Call, scope: Scope) -> bool:
    """Whether a call returns its arguments (wrapped) in their order: ``accelerator.prepare(model, opt)``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        launcher = launcher_class(model, func.value, scope)
        if launcher is not None and func.attr.value in _PASS_THROUGH_METHODS[launcher]:
            return True
    return model.callee_qualname(call, scope) in _PASS_THROUGH_FUNCTIONS


def passed_through_argument(
    model: "SemanticModel", call: cst.Call, scope: Scope, position: int
) -> Optional[cst.BaseExpression]:
    """The argument a pass-through call hands back at a position of its result (keywords after positionals,
    as ``ipex.optimize(model, optimizer=opt)`` returns ``(model, opt)``)."""
    if not passes_through(model, call, scope):
        return None
    if any(arg.star for arg in call.args):
        return None
    values = [arg.value for arg in call.args if arg.keyword is None]
    values += [
        arg.value
        for arg in call.args
        if arg.keyword is not None and arg.keyword.value in ("model", "optimizer", "module")
    ]
    return values[position] if position < len(values) else None


def backpropagated_by_launcher(model: "SemanticModel", call: cst.Call, scope: Scope) -> Optional[cst.BaseExpression]:
    """The loss of ``accelerator.backward(loss)`` / ``fabric.backward(loss)``."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and call.args and call.args[0].keyword is None):
        return None
    launcher = launcher_class(model, func.value, scope)
    if launcher is None or _BACKWARD_METHODS.get(launcher) != func.attr.value:
        return None
    return call.args[0].value
