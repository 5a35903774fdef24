from __future__ import annotations

import re
from typing import List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.architecture import is_sequence_model
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.launchers import launcher_class
from nnlint.analysis.model import CallInfo, Obj, Scope, SemanticModel
from nnlint.analysis.trainer_fit import fitted_models
from nnlint.context import RuleContext
from nnlint.rule import Rule

# clipping function -> (position, keyword) of its threshold argument
_CLIP_FUNCTIONS = {
    "torch.nn.utils.clip_grad_norm_": (1, "max_norm"),
    "torch.nn.utils.clip_grad_norm": (1, "max_norm"),
    "torch.nn.utils.clip_grad_value_": (1, "clip_value"),
}
_LIGHTNING_TRAINERS = frozenset({"pytorch_lightning.Trainer"})
_ACCELERATORS = frozenset({"accelerate.Accelerator", "accelerate.accelerator.Accelerator"})
_HF_TRAINING_ARGUMENTS = frozenset({"transformers.TrainingArguments", "transformers.Seq2SeqTrainingArguments"})
# identifiers in an `if` test that make clipping opt-in (`if args.clip:`, `if max_grad_norm > 0:`)
_GUARD_WORDS = re.compile(r"clip|max_norm|grad_norm|max_grad", re.I)


class DefaultGradClipping(Rule):
    """## What it does
    Finds gradient clipping applied on every step with a fixed threshold: `clip_grad_norm_(params, 1.0)`
    or `clip_grad_value_(params, 0.5)` (through any import or alias, or a module constant such as
    `MAX_NORM = 1.0`), `accelerator.clip_grad_norm_(...)`, Lightning's `Trainer(gradient_clip_val=1.0)`,
    or Hugging Face's `TrainingArguments(max_grad_norm=1.0)` written out.
    Clipping that is opt-in (under `if args.clip:` / `if max_norm > 0:`) or whose threshold comes from
    configuration is left alone, and so is clipping of a recurrent or attention model (an `nn.LSTM`/`nn.GRU`,
    a transformer, a module calling `scaled_dot_product_attention`): there a fixed clip is the established
    remedy for exploding gradients, not a cover for the learning rate.

    ## Why is this bad?
    A fixed clipping threshold copied from another project silently rescales most updates when the
    learning rate is too high: the loss still goes down, so the real problem (the rate) stays hidden,
    and the effective step size now depends on the gradient norm instead of the learning rate you set.
    Tuning the rate with clipping on gives misleading results.

    ## Example
    ```python
    import torch

    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch

    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        if args.clip > 0:  # off by default; turn on once the largest stable learning rate is known
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
    ```

    ## How to fix
    Find the largest learning rate that trains stably without clipping first (a learning-rate range
    test or a short sweep). Add clipping afterwards only if rare gradient spikes remain (RNNs,
    transformers), make the threshold a configuration option that defaults to off, and log the
    gradient norm that `clip_grad_norm_` returns to see how often it actually clips.
    """

    code = "NN401"
    name = "default-grad-clipping"
    summary = "gradient clipping with a fixed threshold on every step hides a learning rate that is too high"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            found = self._clipping(model, call)
            if found is None:
                continue
            what, threshold = found
            value = _fixed_threshold(model, threshold, call.scope)
            if value is None or value <= 0 or _guarded(model, call, threshold):
                continue
            if _clips_sequence_models(model, call):
                continue
            ctx.report(
                call.node,
                f"{what} clips every step at a fixed threshold {value:g}: it hides a learning rate that is too high; "
                "find the largest stable rate first, then clip only behind an option that defaults to off",
                evidence={"threshold": value},
            )

    @staticmethod
    def _clipping(model: SemanticModel, call: CallInfo) -> Optional[Tuple[str, Optional[cst.BaseExpression]]]:
        """(name of the clipping API, its threshold expression) when a call clips gradients."""
        qualname = model.callee_qualname(call.node, call.scope)
        if qualname in _CLIP_FUNCTIONS:
            position, keyword = _CLIP_FUNCTIONS[qualname]
            return qualname.rsplit(".", 1)[-1], model.argument(call.node, position, keyword)
        if qualname in _LIGHTNING_TRAINERS:
            return "Trainer(gradient_clip_val=...)", model.argument(call.node, None, "gradient_clip_val")
        if qualname in _HF_TRAINING_ARGUMENTS:
            return "TrainingArguments(max_grad_norm=...)", model.argument(call.node, None, "max_grad_norm")
        if call.method_name in ("clip_grad_norm_", "clip_grad_value_") and call.receiver is not None:
            if launcher_class(model, call.receiver, call.scope) in _ACCELERATORS:
                position, keyword = _CLIP_FUNCTIONS["torch.nn.utils." + call.method_name]
                return f"accelerator.{call.method_name}", model.argument(call.node, position, keyword)
        return None


def _clips_sequence_models(model: SemanticModel, call: CallInfo) -> bool:
    """Whether every model whose gradients the call clips is known, and recurrent or attention-based."""
    models = _clipped_models(model, call)
    return bool(models) and all(is_sequence_model(model, obj) for obj in models)


def _clipped_models(model: SemanticModel, call: CallInfo) -> List[Obj]:
    """The model objects whose parameters a clipping call (or a Lightning trainer's clipping) applies to."""
    if model.callee_qualname(call.node, call.scope) in _LIGHTNING_TRAINERS:
        return fitted_models(model, call.node)
    params = model.argument(call.node, 0, "parameters")
    for _ in range(3):  # `params = model.parameters()` a few assignments away
        if not isinstance(params, cst.Name):
            break
        binding = model.reaching_value(params, call.scope)
        if binding is None or binding.kind != "assign" or binding.index is not None:
            return []
        params = binding.value
    if not (
        isinstance(params, cst.Call)
        and isinstance(params.func, cst.Attribute)
        and params.func.attr.value in ("parameters", "named_parameters")
    ):
        return []
    owner = params.func.value
    objs = model.object_alternatives(owner, call.scope) or [model.object_of(owner, call.scope)]
    if all(obj.kind != "unknown" and not obj.by_usage for obj in objs):
        return objs
    built = _third_party_model(model, owner, call.scope)
    return [built] if built is not None else []


def _third_party_model(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> Optional[Obj]:
    """A model the semantic model does not know, named by the call that built it
    (``model = AutoModelForCausalLM.from_pretrained(...)``)."""
    if not isinstance(expr, cst.Name):
        return None
    binding = model.reaching_value(expr, scope)
    if binding is None or binding.kind != "assign" or binding.index is not None:
        return None
    if not isinstance(binding.value, cst.Call):
        return None
    qualname = model.callee_qualname(binding.value, binding.scope)
    if qualname is None or qualname.startswith("torch."):
        return None
    return Obj("model", qualname, binding.value, None, model, binding.scope)


def _fixed_threshold(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[float]:
    """The threshold when the source fixes it: a literal, a module constant, or a parameter every caller leaves
    literal."""
    if expr is None:
        return None
    value = model.number(expr, scope)
    if value is not None:
        return value
    if not isinstance(expr, cst.Name):
        return None
    binding = model.lookup(expr.value, scope, model.order.get(expr))
    if binding is None or binding.kind != "param" or binding.scope.function is None:
        return None
    func = binding.scope.function
    callers = model.callers(func)
    default = model.number(binding.value, func.outer) if binding.value is not None else None
    if not callers:
        return None
    values: Set[Optional[float]] = set()
    for caller in callers:
        passed = model.argument(caller.node, func.param_index(expr.value), expr.value)
        values.add(default if passed is None else model.number(passed, caller.scope))
    if len(values) == 1:
        return values.pop()
    return None


def _guarded(model: SemanticModel, call: CallInfo, threshold: Optional[cst.BaseExpression]) -> bool:
    """Whether an enclosing ``if`` makes the clipping optional (tests a clip flag or the threshold itself)."""
    threshold_names = _names_in(model, threshold) if threshold is not None else set()
    stop = call.function.node if call.function is not None else None
    for ancestor in model.ancestors(call.node):
        if ancestor is stop:
            break
        test = ancestor.test if isinstance(ancestor, (cst.If, cst.IfExp, cst.While)) else None
        if test is None:
            continue
        names = _names_in(model, test)
        if names & threshold_names or any(_GUARD_WORDS.search(name) for name in names):
            return True
    return False


def _names_in(model: SemanticModel, expr: cst.CSTNode) -> Set[str]:
    """Dotted names (and their last parts) and string literals mentioned in an expression."""
    found: Set[str] = set()
    for node in model.descendants(expr, (cst.Attribute, cst.Name, cst.SimpleString)):
        if isinstance(node, cst.Attribute):
            dotted = dotted_name(node)
            if dotted is not None:
                found.add(dotted)
                found.add(node.attr.value)
        elif isinstance(node, cst.Name):
            found.add(node.value)
        else:
            found.add(node.value.strip("'\""))  # type: ignore[attr-defined]
    return found
