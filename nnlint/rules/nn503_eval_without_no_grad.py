from __future__ import annotations

from typing import Optional, Set

import libcst as cst

from nnlint.analysis.model import CallInfo, LoopInfo, SemanticModel
from nnlint.analysis.modes import mode_analysis
from nnlint.analysis.optimization import computes_gradients, loop_facts, steps_optimizer
from nnlint.context import RuleContext
from nnlint.rule import Rule

# Lightning runs these hooks under torch.no_grad() itself.
_LIGHTNING_EVAL_HOOKS = frozenset(
    {"validation_step", "test_step", "predict_step", "on_validation_epoch_end", "on_test_epoch_end"}
)


def _innermost_loop(model: SemanticModel, call: CallInfo) -> Optional[LoopInfo]:
    return call.loops[-1] if call.loops else None


def _needs_gradients(model: SemanticModel, loop: LoopInfo) -> bool:
    """The loop backpropagates or steps (fine-tuning in eval mode, saliency maps, adversarial inputs)."""
    facts = loop_facts(model, loop)
    return any(computes_gradients(model, call) or steps_optimizer(model, call) for call in facts.calls)


def _gradients_switched_off_elsewhere(model: SemanticModel) -> bool:
    """``torch.set_grad_enabled(False)`` as a statement, or parameters frozen with ``requires_grad_(False)``:
    the forward then builds no graph, or the file manages gradients in ways this rule does not follow."""
    for call in model.calls:
        first = call.node.args[0].value if call.node.args else None
        is_false = isinstance(first, cst.Name) and first.value == "False"
        if model.callee_qualname(call.node, call.scope) in (
            "torch.set_grad_enabled",
            "torch.autograd.set_grad_enabled",
        ):
            if is_false and not isinstance(model.parent.get(call.node), cst.WithItem):
                return True
        if call.method_name == "requires_grad_" and is_false:
            return True
    return False


class EvalWithoutNoGrad(Rule):
    """## What it does
    Finds an evaluation loop, one that runs a model after `model.eval()` and neither backpropagates nor
    steps an optimizer, that is not under `torch.no_grad()` or `torch.inference_mode()` (as a `with`
    block, as a decorator on the function, or around every call of the function). Lightning's
    `validation_step`/`test_step` hooks are not reported: Lightning disables gradients around them.

    ## Why is this bad?
    With autograd on, every forward pass records its graph and keeps the activations needed for a
    backward pass that never comes: evaluation uses several times more memory and runs slower, and
    any tensor kept from it (predictions, losses) holds the graph alive.

    ## Example
    ```python
    import torch

    def evaluate(model, loader):
        model.eval()
        correct = 0
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
        return correct / len(loader.dataset)

    model = torch.nn.Sequential(torch.nn.Linear(20, 4))
    print(evaluate(model, val_loader))
    ```

    ## Use instead
    ```python
    import torch

    @torch.no_grad()
    def evaluate(model, loader):
        model.eval()
        correct = 0
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
        return correct / len(loader.dataset)

    model = torch.nn.Sequential(torch.nn.Linear(20, 4))
    print(evaluate(model, val_loader))
    ```

    ## How to fix
    Wrap the evaluation loop in `with torch.no_grad():` (or `torch.inference_mode()`), or decorate the
    evaluation function with `@torch.no_grad()`.
    """

    code = "NN503"
    name = "eval-without-no-grad"
    summary = "an evaluation loop runs with autograd enabled"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        reported: Set[cst.CSTNode] = set()
        if _gradients_switched_off_elsewhere(model):
            return
        for use in mode_analysis(model).uses.values():
            call = use.call
            if not use.modes or any(mode != "eval" for mode, _ in use.modes):
                continue
            loop = _innermost_loop(model, call)
            if loop is None or loop.node in reported or model.in_no_grad(call):
                continue
            if call.function is not None and call.function.name in _LIGHTNING_EVAL_HOOKS:
                continue
            if _needs_gradients(model, loop):
                continue
            reported.add(loop.node)
            ctx.report(
                call.node,
                f"evaluation loop (line {model.line_of(loop.node)}) runs the model in eval mode with autograd on: "
                "it records a graph per batch for nothing; wrap it in torch.no_grad() or torch.inference_mode()",
                evidence={"loop_line": model.line_of(loop.node)},
            )
