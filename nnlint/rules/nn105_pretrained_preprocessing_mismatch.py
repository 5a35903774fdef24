from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

import libcst as cst

from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import CallInfo, Scope, SemanticModel
from nnlint.analysis.values import reaching_binding
from nnlint.context import RuleContext
from nnlint.rule import Rule

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_TOLERANCE = 0.01

# torchvision classification builders (all trained on ImageNet-normalised inputs)
_TORCHVISION_CLASSIFIERS = re.compile(
    r"^torchvision\.models\.(resnet|resnext|wide_resnet|vgg|alexnet|densenet|inception_v3|googlenet|mobilenet_v|"
    r"efficientnet|regnet|shufflenet|mnasnet|squeezenet|convnext|vit_|swin|maxvit)"
)
# timm architectures whose default pretrained tags use the ImageNet mean/std (others, e.g. many ViTs and
# CLIP-tagged weights, use 0.5/0.5 or CLIP statistics, so only a missing Normalize is checked there)
_TIMM_IMAGENET_STATS = re.compile(
    r"^(resnet|resnext|wide_resnet|seresnet|densenet|regnet|efficientnet_b|mobilenetv[23]|convnext|vgg)"
)
_TIMM_OTHER_TAGS = re.compile(r"clip|laion|openai|siglip|dino|mim")
_TRANSFORMS = ("torchvision.transforms.", "torchvision.transforms.v2.")
_TO_TENSOR = frozenset({"ToTensor", "PILToTensor", "ToImage", "ToImageTensor", "ToDtype", "ConvertImageDtype"})
_OPAQUE = frozenset({"Lambda"})


@dataclass
class _Pipeline:
    node: cst.Call
    normalizes: bool = False
    to_tensor: bool = False
    known: bool = True
    normalizers: List[cst.Call] = field(default_factory=list)


class PretrainedPreprocessingMismatch(Rule):
    """## What it does
    Finds pretrained torchvision or timm models (`resnet18(weights=...)`, `pretrained=True`,
    `timm.create_model(..., pretrained=True)`) whose image transform pipelines (`transforms.Compose`
    converting images to tensors) have no `Normalize`, or normalise with other mean/std than the
    ImageNet statistics the weights were trained with.

    ## Why is this bad?
    Pretrained weights expect inputs standardised exactly as during their training (for torchvision's
    classification weights: mean `(0.485, 0.456, 0.406)`, std `(0.229, 0.224, 0.225)`). Fed raw `[0, 1]`
    pixels or differently scaled ones, every early activation is shifted: fine-tuning starts far from the
    pretrained optimum, accuracy drops by several points and transfer learning looks much worse than it is.

    ## Example
    ```python
    from torchvision import transforms
    from torchvision.models import ResNet18_Weights, resnet18

    model = resnet18(weights=ResNet18_Weights.IMAGENET1K_V1)
    train_tf = transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor()])
    ```

    ## Use instead
    ```python
    from torchvision import transforms
    from torchvision.models import ResNet18_Weights, resnet18

    model = resnet18(weights=ResNet18_Weights.IMAGENET1K_V1)
    train_tf = transforms.Compose([
        transforms.RandomResizedCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    ```

    ## How to fix
    Add `transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])` after `ToTensor()`,
    or use the weights' own preprocessing (`ResNet18_Weights.DEFAULT.transforms()`), or for timm
    `timm.data.create_transform(**timm.data.resolve_data_config({}, model=model))`.
    """

    code = "NN105"
    name = "pretrained-preprocessing-mismatch"
    summary = "pretrained weights fed images without (or with other) Normalize than they were trained with"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        pretrained = [
            (call, family) for call in model.calls for family in [_pretrained_family(model, call)] if family is not None
        ]
        if not pretrained:
            return
        if _renormalised_by_hand(model):
            return  # `(x - mean) / std` or the weights' own transforms: the pipeline is not the whole story
        pipelines = [
            _pipeline(model, call.node, call.scope) for call in model.calls if _is_compose(model, call.node, call.scope)
        ]
        self._check_missing(ctx, model, pretrained[0][0], pipelines)
        if all(family == "timm-other" for _, family in pretrained):
            return
        for call in model.calls:
            if _transform_name(model, call.node, call.scope) != "Normalize":
                continue
            mean = _triple(model, model.argument(call.node, 0, "mean"), call.scope)
            std = _triple(model, model.argument(call.node, 1, "std"), call.scope)
            if mean is None or std is None or max(mean) > 1.0 or min(mean) < 0.0 or max(std) > 1.0:
                continue  # not literal, 0-255 statistics for uint8 pipelines, or an inverse (denormalising) Normalize
            if _close(mean, IMAGENET_MEAN) and _close(std, IMAGENET_STD):
                continue
            ctx.report(
                call.node,
                f"Normalize(mean={_fmt(mean)}, std={_fmt(std)}) differs from the ImageNet statistics the pretrained "
                f"weights (line {model.line_of(pretrained[0][0].node)}) expect: mean={_fmt(IMAGENET_MEAN)}, "
                f"std={_fmt(IMAGENET_STD)}",
                evidence={"mean": list(mean), "std": list(std)},
            )

    def _check_missing(
        self, ctx: RuleContext, model: SemanticModel, weights_call: CallInfo, pipelines: List[_Pipeline]
    ) -> None:
        lacking = [p for p in pipelines if p.known and p.to_tensor and not p.normalizes]
        if not lacking or _normalized_elsewhere(model, pipelines):
            return
        lines = ", ".join(str(model.line_of(p.node)) for p in lacking)
        where = f"line{'s' if len(lacking) > 1 else ''} {lines}"
        ctx.report(
            weights_call.node,
            f"pretrained weights are fed images from transform pipeline(s) without Normalize ({where}): "
            "the weights expect ImageNet-normalised inputs; add transforms.Normalize(mean=[0.485, 0.456, 0.406], "
            "std=[0.229, 0.224, 0.225]) or use weights.transforms()",
            evidence={"pipelines": [model.line_of(p.node) for p in lacking]},
        )


def _pretrained_family(model: SemanticModel, call: CallInfo) -> Optional[str]:
    """'torchvision', 'timm-imagenet' or 'timm-other' for a pretrained model construction, else None."""
    qualname = model.callee_qualname(call.node, call.scope) or ""
    if _TORCHVISION_CLASSIFIERS.match(qualname) or qualname == "torchvision.models.get_model":
        if qualname == "torchvision.models.get_model":
            name = model.argument(call.node, 0, "name")
            if not (
                isinstance(name, cst.SimpleString)
                and isinstance(name.evaluated_value, str)
                and _TORCHVISION_CLASSIFIERS.match("torchvision.models." + name.evaluated_value)
            ):
                return None
        weights = model.argument(call.node, None, "weights")
        resolved = _resolve(model, weights, call.scope) if weights is not None else None
        if (
            weights is not None
            and not _is_literal(weights, "None", "False")
            and not _is_literal(resolved, "None", "False")
        ):
            return "torchvision"
        if _is_literal(model.argument(call.node, None, "pretrained"), "True"):
            return "torchvision"
        return None
    if qualname == "timm.create_model" and _is_literal(model.argument(call.node, None, "pretrained"), "True"):
        name = model.argument(call.node, 0, "model_name")
        if isinstance(name, cst.SimpleString):
            arch, _, tag = str(name.evaluated_value).partition(".")
            if _TIMM_IMAGENET_STATS.match(arch) and not _TIMM_OTHER_TAGS.search(tag):
                return "timm-imagenet"
        return "timm-other"
    return None


def _is_literal(expr: Optional[cst.BaseExpression], *names: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value in names


def _transform_name(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[str]:
    qualname = model.callee_qualname(call, scope) or ""
    for prefix in _TRANSFORMS:
        if qualname.startswith(prefix) and "." not in qualname[len(prefix) :]:
            return qualname[len(prefix) :]
    return None


def _is_compose(model: SemanticModel, call: cst.Call, scope: Scope) -> bool:
    return _transform_name(model, call, scope) == "Compose"


def _resolve(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> Optional[cst.BaseExpression]:
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if (
            binding is None
            or binding.index is not None
            or binding.kind not in ("assign", "annassign")
            or binding.value is None
        ):
            return None
        return binding.value
    return expr


def _pipeline(model: SemanticModel, compose: cst.Call, scope: Scope, depth: int = 0) -> _Pipeline:
    pipeline = _Pipeline(compose)
    steps = model.argument(compose, 0, "transforms")
    steps = _resolve(model, steps, scope) if steps is not None else None
    if not isinstance(steps, (cst.List, cst.Tuple)) or depth > 3:
        pipeline.known = False
        return pipeline
    for element in steps.elements:
        step = _resolve(model, element.value, scope)
        name = _transform_name(model, step, scope) if isinstance(step, cst.Call) else None
        if name is None or name in _OPAQUE or isinstance(element, cst.StarredElement):
            pipeline.known = False
            continue
        if name == "Compose":
            inner = _pipeline(model, step, scope, depth + 1)  # type: ignore[arg-type]
            pipeline.known &= inner.known
            pipeline.normalizes |= inner.normalizes
            pipeline.to_tensor |= inner.to_tensor
            pipeline.normalizers.extend(inner.normalizers)
        elif name == "Normalize":
            pipeline.normalizes = True
            pipeline.normalizers.append(step)  # type: ignore[arg-type]
        elif name in _TO_TENSOR:
            pipeline.to_tensor = True
    return pipeline


def _normalized_elsewhere(model: SemanticModel, pipelines: List[_Pipeline]) -> bool:
    """A Normalize outside every Compose (applied to batches by hand)."""
    inside = {id(n) for p in pipelines for n in p.normalizers}
    return any(
        _transform_name(model, call.node, call.scope) == "Normalize" and id(call.node) not in inside
        for call in model.calls
    )


def _renormalised_by_hand(model: SemanticModel) -> bool:
    """A manual ``x - mean`` / ``x.sub(mean)``, the weights' own ``transforms()``, or timm's data config."""
    for call in model.calls:
        if call.method_name == "transforms" or (model.callee_qualname(call.node, call.scope) or "").startswith(
            "timm.data."
        ):
            return True
        if call.method_name in ("sub", "sub_") and call.node.args and _mentions_mean(call.node.args[0].value):
            return True
    for node in model.order:
        if (
            isinstance(node, cst.BinaryOperation)
            and isinstance(node.operator, cst.Subtract)
            and _mentions_mean(node.right)
        ):
            return True
    return False


def _mentions_mean(expr: cst.BaseExpression) -> bool:
    dotted = dotted_name(expr)
    return dotted is not None and "mean" in dotted.split(".")[-1].lower()


def _triple(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[Sequence[float]]:
    if expr is None:
        return None
    value = _resolve(model, expr, scope)
    if isinstance(value, (cst.List, cst.Tuple)):
        numbers = [model.number(element.value, scope) for element in value.elements]
        if len(numbers) == 3 and all(n is not None for n in numbers):
            return tuple(numbers)  # type: ignore[arg-type]
        if len(numbers) == 1 and numbers[0] is not None:
            return (numbers[0],) * 3
        return None
    single = model.number(value, scope) if value is not None else None
    return (single,) * 3 if single is not None else None


def _close(values: Sequence[float], reference: Sequence[float]) -> bool:
    return all(abs(a - b) <= _TOLERANCE for a, b in zip(values, reference))


def _fmt(values: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"
