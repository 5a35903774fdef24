"""Fix builders shared by rules: each returns a :class:`Fix` only when the rewrite is provably safe, else None.

A rule attaches the result to its finding: ``ctx.report(node, message, fix=add_keyword(ctx, call, "shuffle", "True"))``.
The edits are computed from libcst positions and the replacement text is rendered by libcst from new
nodes, so everything outside the rewritten node (formatting, comments) stays as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, List, Optional, Sequence

import libcst as cst

from nnlint.finding import Fix

if TYPE_CHECKING:
    from nnlint.analysis.model import Obj, SemanticModel, Tail
    from nnlint.context import RuleContext

SEQUENTIAL = "torch.nn.Sequential"
_SOFTMAX_LIKE_FUNCTIONS = frozenset(
    {
        "torch.softmax",
        "torch.log_softmax",
        "torch.sigmoid",
        "torch.nn.functional.softmax",
        "torch.nn.functional.log_softmax",
        "torch.nn.functional.sigmoid",
        "torch.special.softmax",
        "torch.special.log_softmax",
        "torch.special.expit",
    }
)
_ACTIVATION_METHODS = frozenset({"softmax", "log_softmax", "sigmoid"})
_ORDER_PRESERVING_USES = frozenset({"argmax"})  # what a dropped softmax/sigmoid cannot change


def _has_comment(ctx: "RuleContext", node: cst.CSTNode) -> bool:
    return "#" in ctx.module.code_for_node(node)


# ------------------------------------------------------------------------- keyword arguments
def add_keyword(
    ctx: "RuleContext", call: cst.Call, keyword: str, value: str, max_positional: Optional[int] = None
) -> Optional[Fix]:
    """Add ``keyword=value`` to a call that has no such keyword, after its last argument.

    ``max_positional``: the parameter's position; a call with that many positional arguments (or any
    ``*args``/``**kwargs``) may already pass it, so no fix is offered.
    """
    if any(arg.keyword is not None and arg.keyword.value == keyword for arg in call.args):
        return None
    if any(arg.star for arg in call.args):
        return None
    positional = sum(1 for arg in call.args if arg.keyword is None)
    if max_positional is not None and positional > max_positional:
        return None
    description = f"Add `{keyword}={value}`"
    if not call.args:
        return ctx.fix(description, ctx.replace(call, call.with_changes(args=[_keyword_arg(keyword, value)])))
    return ctx.fix(description, ctx.insert_after(call.args[-1].value, f", {keyword}={value}"))


def _keyword_arg(keyword: str, value: str) -> cst.Arg:
    return cst.Arg(
        value=cst.parse_expression(value),
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )


def set_keyword(ctx: "RuleContext", call: cst.Call, keyword: str, old: str, new: str) -> Optional[Fix]:
    """Turn ``keyword=old`` (literally) into ``keyword=new``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword and ctx.module.code_for_node(arg.value) == old:
            return ctx.fix(f"Set `{keyword}={new}`", ctx.replace(arg.value, new))
    return None


# ------------------------------------------------------------------------------ forward calls
def call_instead_of_forward(ctx: "RuleContext", call: cst.Call) -> Optional[Fix]:
    """``obj.forward(args)`` -> ``obj(args)``; not for ``super().forward`` (the parent's forward is meant)."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "forward":
        return None
    receiver = func.value
    if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Name) and receiver.func.value == "super":
        return None
    if _has_comment(ctx, func):
        return None
    return ctx.fix("Call the module instead of its `forward`", ctx.replace(func, receiver))


# ---------------------------------------------------------------------- final activations
def drop_final_activation(
    ctx: "RuleContext",
    tail: "Tail",
    loss_call: cst.Call,
    loss_input: Optional[cst.BaseExpression],
    loss_families: Sequence[str],
) -> Optional[Fix]:
    """Remove the softmax/sigmoid a loss's input passed through last, when nothing else can depend on it.

    Three shapes are fixed: the activation written inline as the loss's argument
    (``criterion(F.softmax(out, 1), y)``); a variable holding ``softmax(logits)`` passed to the loss
    (the loss gets ``logits``, the variable stays for its other uses); and the activation that is the model's last
    operation in this file (last element of the ``nn.Sequential`` that is the model, or the only ``return`` of the
    model's ``forward``), provided every call of that model in this file feeds such a loss directly or
    through a variable used only by such losses and ``argmax``.
    """
    model: "SemanticModel" = ctx.model
    node = tail.node
    if node is None or tail.owner is not model or tail.packed:
        return None  # an activation packed with other parts: the other uses of the pack need it
    if loss_input is not None and node is loss_input:
        replacement = _activation_input(model, node)
        if replacement is None or _has_comment(ctx, node):
            return None
        return ctx.fix("Pass the raw logits to the loss", ctx.replace(node, replacement))
    model_obj = tail.via_model
    if model_obj is None and isinstance(loss_input, cst.Name):
        return _pass_activation_input(ctx, node, loss_input)
    if model_obj is None or (model_obj.owner is not None and model_obj.owner is not model):
        return None
    if not _outputs_only_feed(model, model_obj, loss_families):
        return None
    sequential = model_obj.node if model_obj.cls is None else None
    if isinstance(sequential, cst.Call) and model_obj.qualname == SEQUENTIAL:
        return _drop_last_sequential_element(ctx, sequential, node)
    if model_obj.cls is not None:
        return _drop_returned_activation(ctx, model_obj, node)
    return None


def _pass_activation_input(ctx: "RuleContext", activation: cst.CSTNode, loss_input: cst.Name) -> Optional[Fix]:
    """``probs = softmax(logits); loss(probs, y)`` -> ``loss(logits, y)``; ``probs`` stays for its other uses."""
    model = ctx.model
    scope = model.scope_of(loss_input)
    binding = model.reaching_value(loss_input, scope)
    if binding is None or binding.kind != "assign" or binding.value is not activation or binding.index is not None:
        return None
    inner = _activation_input(model, activation)
    if not isinstance(inner, cst.Name) or model.scope_of(activation) is not scope:
        return None
    if model.order[activation] >= model.order[loss_input]:
        return None
    # the logits must still be the same value where the loss reads the activation's output
    at_activation = model.lookup(inner.value, scope, model.order[activation])
    if at_activation is None or at_activation is not model.lookup(inner.value, scope, model.order[loss_input]):
        return None
    return ctx.fix(f"Pass `{inner.value}` (the raw logits) to the loss", ctx.replace(loss_input, inner.value))


def _activation_input(model: "SemanticModel", node: cst.CSTNode) -> Optional[cst.BaseExpression]:
    """What an activation call is applied to: ``F.softmax(x, 1)`` / ``x.softmax(1)`` / ``self.act(x)`` -> ``x``."""
    if not isinstance(node, cst.Call):
        return None
    scope = model.scope_of(node)
    qualname = model.callee_qualname(node, scope)
    if qualname in _SOFTMAX_LIKE_FUNCTIONS:
        return model.argument(node, 0, "input")
    func = node.func
    if qualname is None and isinstance(func, cst.Attribute) and func.attr.value in _ACTIVATION_METHODS:
        return func.value
    obj = model.object_of(func, scope)
    if obj.kind == "layer" and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star:
        return node.args[0].value
    return None


def _drop_last_sequential_element(ctx: "RuleContext", sequential: cst.Call, element: cst.CSTNode) -> Optional[Fix]:
    args = list(sequential.args)
    if len(args) < 2 or args[-1].value is not element or any(arg.keyword is not None or arg.star for arg in args):
        return None
    removed, previous = args[-1], args[-2]
    if _has_comment(ctx, removed) or (isinstance(previous.comma, cst.Comma) and _has_comment(ctx, previous.comma)):
        return None
    if isinstance(removed.comma, cst.Comma) and isinstance(previous.comma, cst.Comma):
        new_comma: object = previous.comma.with_changes(whitespace_after=removed.comma.whitespace_after)
    else:
        new_comma = removed.comma
    new_args = [*args[:-2], previous.with_changes(comma=new_comma)]
    return ctx.fix(
        "Remove the final activation (the loss applies it)",
        ctx.replace(sequential, sequential.with_changes(args=new_args)),
    )


def _drop_returned_activation(ctx: "RuleContext", model_obj: "Obj", node: cst.CSTNode) -> Optional[Fix]:
    model = ctx.model
    ret = model.parent.get(node)
    if not isinstance(ret, cst.Return) or model_obj.cls is None:
        return None
    forward = model.method_of(model_obj.cls, "forward")
    if forward is None or model.function_of(ret) is not forward or len(forward.returns) != 1:
        return None
    replacement = _activation_input(model, node)
    if replacement is None or _has_comment(ctx, node):
        return None
    return ctx.fix(
        "Return the raw logits from forward (the loss applies the activation)", ctx.replace(node, replacement)
    )


def _same_model(a: "Obj", b: "Obj") -> bool:
    if a.cls is not None or b.cls is not None:
        return a.cls is b.cls
    return a.node is not None and a.node is b.node


def _outputs_only_feed(model: "SemanticModel", model_obj: "Obj", loss_families: Sequence[str]) -> bool:
    """Every call of this model in the file feeds one of these losses (directly, or via a name used only
    so), and the model is never handed to code this file does not show (where it could be called)."""
    from nnlint.analysis.torch_api import MODEL_WRAPPERS

    found = False
    for call in model.calls:
        obj = model.object_of(call.node.func, call.scope)
        if obj.kind == "model" and _same_model(obj, model_obj):
            found = True
            if not _use_is_loss_input(model, call.node, loss_families):
                return False
        for arg in call.node.args:
            passed = model.object_of(arg.value, call.scope)
            if passed.kind != "model" or not _same_model(passed, model_obj):
                continue
            if model.callee_qualname(call.node, call.scope) in MODEL_WRAPPERS:
                continue  # the wrapper's calls are the model's calls (object_of follows wrappers)
            target = model.resolve_function(call.node.func, call.scope)
            if target is None or model.owner_of(target) is not model:
                return False  # e.g. evaluate(model, loader) from another module: its calls are not seen here
    return found


def _use_is_loss_input(model: "SemanticModel", expr: cst.CSTNode, loss_families: Sequence[str]) -> bool:
    parent = model.parent.get(expr)
    if isinstance(parent, cst.Arg):
        call = model.parent.get(parent)
        if isinstance(call, cst.Call) and _is_loss_input(model, call, expr, loss_families):
            return True
        return (
            isinstance(call, cst.Call)
            and model.callee_qualname(call, model.scope_of(call)) == "torch.argmax"
            and call.args[0] is parent
        )
    if isinstance(parent, cst.Attribute) and parent.value is expr and parent.attr.value in _ORDER_PRESERVING_USES:
        return isinstance(model.parent.get(parent), cst.Call)
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        name = parent.targets[0].target
        uses = list(_uses_of(model, name, parent))
        return bool(uses) and all(_use_is_loss_input(model, use, loss_families) for use in uses)
    return False


def _is_loss_input(model: "SemanticModel", call: cst.Call, expr: cst.CSTNode, loss_families: Sequence[str]) -> bool:
    scope = model.scope_of(call)
    kind = model.loss_kind(call, scope)
    return kind is not None and kind[0] in loss_families and model.argument(call, 0, "input") is expr


def _uses_of(model: "SemanticModel", target: cst.Name, assign: cst.Assign) -> Iterator[cst.Name]:
    """Loads of an assigned name in the same function (or module), after the assignment; any rebinding stops the
    search."""
    func = model.function_of(assign)
    container: cst.CSTNode = func.node if func is not None else model.module
    start = model.order[assign]
    rebinds: List[int] = []
    loads: List[cst.Name] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value != target.value or node is target or node not in model.order or model.order[node] <= start:
                return
            parent = model.parent.get(node)
            if isinstance(parent, cst.AssignTarget) or (
                isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is node
            ):
                rebinds.append(model.order[node])
            elif not (isinstance(parent, cst.Attribute) and parent.attr is node) and not (
                isinstance(parent, cst.Arg) and parent.keyword is node
            ):
                loads.append(node)

    container.visit(_Collect())
    if rebinds:
        return iter(())  # a rebinding makes "used only by the loss" hard to prove: no fix
    return iter(loads)


# -------------------------------------------------------------------------------- loaders
_SHUFFLE_POSITION = 2  # DataLoader(dataset, batch_size, shuffle, sampler, ...)


def enable_shuffle(ctx: "RuleContext", loader_call: cst.Call) -> Optional[Fix]:
    """``DataLoader(...)`` with ``shuffle`` absent, ``False`` or ``None`` -> ``shuffle=True``."""
    current = ctx.model.argument(loader_call, _SHUFFLE_POSITION, "shuffle")
    if current is None:
        return add_keyword(ctx, loader_call, "shuffle", "True", max_positional=_SHUFFLE_POSITION)
    if isinstance(current, cst.Name) and current.value in ("False", "None"):
        return ctx.fix("Set `shuffle=True`", ctx.replace(current, "True"))
    return None


# ------------------------------------------------------------------------- axis reordering
_ATOMIC = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


def permute_instead_of_reshape(
    ctx: "RuleContext", call: cst.Call, source: cst.BaseExpression, permutation: Sequence[int]
) -> Optional[Fix]:
    """``x.view(3, H, W)`` / ``torch.reshape(x, ...)`` -> ``x.permute(2, 0, 1).contiguous()``;
    ``np.reshape(a, ...)`` -> ``np.transpose(a, (2, 0, 1))``.

    Only where the library is evident from the call (a ``.reshape`` method could be numpy's or
    torch's: no fix) and the source's full shape is known with the same rank and no size-1 axes, so
    the permutation names every axis. ``.contiguous()`` keeps the result usable where the reshaped
    tensor was (a later ``.view`` needs it).
    """
    from nnlint.analysis.shapes import OPAQUE, shape_of

    model = ctx.model
    scope = model.scope_of(call)
    shape = shape_of(model, source, scope)
    dims = tuple(permutation)
    if (
        not shape
        or len(shape) != len(dims)
        or OPAQUE in shape
        or ("lit", 1) in shape
        or sorted(dims) != list(range(len(dims)))
    ):
        return None
    if _has_comment(ctx, call):
        return None
    source_code = ctx.module.code_for_node(source)
    if not isinstance(source, _ATOMIC) and not source.lpar:
        source_code = f"({source_code})"
    listed = ", ".join(str(d) for d in dims)
    qualname = model.callee_qualname(call, scope)
    if qualname == "numpy.reshape" and isinstance(call.func, cst.Attribute):
        module_code = ctx.module.code_for_node(call.func.value)
        return ctx.fix(
            "Move the axes with np.transpose", ctx.replace(call, f"{module_code}.transpose({source_code}, ({listed}))")
        )
    is_view = (
        qualname is None
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "view"
        and call.func.value is source
    )
    if qualname == "torch.reshape" or is_view:
        return ctx.fix("Move the axes with permute", ctx.replace(call, f"{source_code}.permute({listed}).contiguous()"))
    return None
