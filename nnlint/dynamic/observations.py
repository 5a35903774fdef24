"""What a probe observes of one ``--dynamic`` run: the typed records the recorder passes to probes.

``run.get(KEY, default)`` (:class:`~nnlint.dynamic.probe.RunView`) returns the value recorded under
``KEY``; the most used ones also have typed properties (``run.optimizers``, ``run.loaders``,
``run.losses``, ``run.grads``, ``run.activations``...). Every value is plain JSON data (the child
process runs torch, a probe never does). A record's keys are all optional: a probe reads them with
``.get`` and stays silent when what it needs is missing. ``OBSERVATIONS`` lists every key with its
type and meaning; ``docs/plugins.md`` prints the same table (a test keeps them equal).

Positions (``Where``) are lists of ``[absolute path, line, function]`` frames of the user's code,
innermost first; ``run.report(where, ...)`` places a finding at the first one.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

Frame = List[Any]  # [path: str, line: int, function: str]
Where = List[Frame]


class ParamGroup(TypedDict, total=False):
    params: int  # number of parameters (tensors) in the group
    lr: float
    momentum: float
    weight_decay: float
    betas: List[float]
    eps: float
    nesterov: bool
    # ...and every other plain hyperparameter the optimizer keeps in its param groups


# "class": the optimizer's class name ("SGD", "AdamW"); "where": its first step() call; "primary": the
# optimizer whose steps count as the training steps; "param_groups": its settings, group by group
OptimizerInfo = TypedDict(
    "OptimizerInfo", {"class": str, "where": Where, "primary": bool, "param_groups": List[ParamGroup]}, total=False
)


class TensorStats(TypedDict, total=False):
    shape: List[int]
    dtype: str  # "float32"
    min: float
    max: float
    mean: float
    std: float
    nonfinite: int  # count of NaN/inf elements
    all_zero: bool
    constant: bool
    samples_identical: bool  # every sample of the batch equals the first
    empty: bool


# "class": "DataLoader"; "sampler"/"batch_sampler": class names ("RandomSampler"); "length": batches per
# epoch; "dataset_labels": label statistics of the dataset (classification), "dataset_label_head": of
# its first few batches' worth
LoaderInfo = TypedDict(
    "LoaderInfo",
    {
        "class": str,
        "sampler": Optional[str],
        "batch_sampler": Optional[str],
        "batch_size": Optional[int],
        "num_workers": int,
        "length": Optional[int],
        "shuffle": Optional[bool],
        "dataset_labels": Dict[str, Any],
        "dataset_label_head": Dict[str, Any],
    },
    total=False,
)


class LossEvent(TypedDict, total=False):
    family: str  # "cross_entropy", "nll", "mse", "bce", "bce_with_logits", ...
    where: Where
    origin: Where  # where the loss input was produced
    origin_op: Optional[str]  # the last operation that produced it ("softmax")
    phase: str  # "train", "train2" (second step), "eval", "before first step"
    step: int  # optimizer steps taken before this loss
    value: float  # the loss (mean over the batch)
    finite: bool
    input_shape: List[int]
    target_shape: Optional[List[int]]
    reduction: str
    input: Dict[str, Any]  # TensorStats of the input (class-distribution statistics for CE/NLL)
    labels: Dict[str, Any]  # label statistics of the target
    labels_from_batch: bool
    target: Dict[str, float]  # {"min", "max"} of a float target
    broadcasts: bool  # input and target shapes differ but broadcast
    classes: int


class GradEntry(TypedDict, total=False):
    name: str  # "Net.fc1.weight"
    shape: List[int]
    grad_norm: float
    weight_norm: float
    embedding: bool


class UpdateRatio(TypedDict, total=False):
    name: str
    ratio: float  # |update| / |weight| of the first step
    lr: Optional[float]
    optimizer: str


class Activation(TypedDict, total=False):
    module: str  # "Net.body.0"
    module_type: str  # "Linear"
    mean: float
    std: float
    order: int  # forward order
    module_id: int


OBSERVATIONS: Dict[str, str] = {
    "optimizers": "list[OptimizerInfo]: each optimizer that stepped: class, where, primary, param_groups (params "
    "count, lr, momentum, weight_decay, betas... of every group)",
    "loaders": "list[LoaderInfo]: the DataLoaders iterated (class, sampler, batch_sampler, batch_size, "
    "num_workers, length, shuffle, dataset_labels)",
    "losses": "list[LossEvent]: every loss computed (family, where, origin, origin_op, phase, step, value, finite, "
    "input_shape, target_shape, reduction, input, labels, classes, broadcasts)",
    "train_inputs": "list[TensorStats + where, phase, model]: the first training batches fed to the model (at most 8)",
    "first_layer_input": "TensorStats + module, module_type, where, or None: what the first layer received",
    "activations": "list[Activation]: per-layer output statistics of the first training forward (module, "
    "module_type, mean, std, order)",
    "relus": "list[TensorStats + where, module]: outputs of ReLU calls (dead-unit statistics)",
    "grads": "list[GradEntry]: per-parameter gradient and weight norms at the first step (name, shape, grad_norm, "
    "weight_norm, embedding)",
    "update_ratios": "list[UpdateRatio]: |update| / |weight| per parameter after the first step (name, ratio, lr, "
    "optimizer, numel)",
    "model_device": 'str or None: the device of the first model\'s parameters at its first forward ("cpu", "cuda:0")',
    "experiments": "dict or None: with --experiments, each experiment's outcome by code (NN901-NN904: numbers, "
    "loss curve, or why it was not run), or skipped_all",
    "weights_after_step": "list[{name, shape, identical_rows, init_where}]: weights whose rows are identical after "
    "a step, or whose init was seen",
    "no_grad_params": "list[str]: parameters of the model that got no gradient",
    "params_without_optimizer": "list[str]: parameters with a gradient that no optimizer holds",
    "params_with_grad": "int: parameters with a gradient at the first step",
    "orphan_params": "int: parameters an optimizer holds that belong to no model that ran",
    "grad_non_finite": "list[str]: parameters whose gradient holds NaN/inf",
    "non_finite": "dict[kind, {op, where, module, input_shapes}]: the first operation that produced NaN/inf, per kind",
    "loss_non_finite": "bool: a training loss was NaN/inf",
    "clips": "list[{where, kind, threshold, before}]: gradient clipping calls (kind 'norm' or 'value'; before: the "
    "norm or max before clipping)",
    "second_backward": "{params, params_with_stale_grad, where} or None: a backward after a step without zero_grad",
    "train_forwards": "list[{eval, where, grad_enabled, root_training, model, train_mode_layers, eval_mode_layers, "
    "phase}]: training forwards (at most 8)",
    "eval_forwards": "list[same as train_forwards]: forwards under evaluation (at most 16)",
    "late_train_forward": "same as train_forwards, or None: a training forward after evaluation",
    "dropouts": "list[{where, training_arg, module_training, module, grad_enabled}]: functional dropout calls",
    "reshapes": "list[{where, input_shape, output_shape, permutes_axes}]: view/reshape calls that reorder axes",
    "repeated_batch": "{identical, batches_in_epoch} or None: whether the second batch equals the first",
    "first_batch_digest": "str: a fingerprint of the first training batch",
    "sampler_epochs": "list[int]: the epoch a DistributedSampler had when each epoch began",
    "set_epoch_calls": "list[int]: the arguments of sampler.set_epoch calls",
    "skipped_epochs": "int: epochs that yielded no batch",
    "custom_functions": "list[dict]: custom autograd Functions checked against numerical gradients",
    "step_where": "Where: the call site of the first training optimizer.step()",
    "steps": "int: optimizer steps observed (the run stops after 2)",
    "backwards": "int: backward calls observed",
    "stages": "list[str]: the stages the run went through",
    "stop_reason": "str or None: why the recorder stopped the script",
    "skimmed": "{to, after, budget_seconds, seconds?} or absent: the budget would have stopped the run before the "
    "next training backward after an evaluation (to='training') or before any evaluation (to='evaluation'), so "
    "the script ran on uninstrumented; 'seconds' is how long it took to get there (absent: it never did)",
    "suppressed_saves": "int: torch.save calls skipped during the run",
}

__all__ = [
    "Activation",
    "Frame",
    "GradEntry",
    "LoaderInfo",
    "LossEvent",
    "OBSERVATIONS",
    "OptimizerInfo",
    "ParamGroup",
    "TensorStats",
    "UpdateRatio",
    "Where",
]
