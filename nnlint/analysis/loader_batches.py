"""Shapes of the batches a training loop draws: ``for x, y in loader`` over a ``DataLoader`` whose data set
is a ``TensorDataset`` (each tensor without its first axis) or a user ``Dataset`` (what ``__getitem__``
returns), stacked by the default collate along a new batch axis.

Part of the shape analysis of :mod:`~nnlint.analysis.batch_shapes`.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from nnlint.analysis import batch_shapes
from nnlint.analysis.dims import TensorShape, batch_size, known
from nnlint.analysis.model import Scope, SemanticModel

_DATASETS = frozenset({"torch.utils.data.TensorDataset", "torch.utils.data.dataset.TensorDataset"})


def batch_element_shape(
    model: SemanticModel, iterable: cst.BaseExpression, index: Tuple[int, ...], scope: Scope, depth: int
) -> Optional[TensorShape]:
    """Shape of one element of ``for x, y in loader`` (or ``enumerate(loader)``) over a TensorDataset or a
    user Dataset; unknown with a custom ``collate_fn``/``batch_sampler`` or ``batch_size=None`` (no batching)."""
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "enumerate":
        positional = [arg.value for arg in iterable.args if arg.keyword is None and not arg.star]
        if index[0] != 1 or len(index) < 2 or not positional:
            return None
        iterable, index = positional[0], index[1:]
    if len(index) != 1:
        return None
    loader = model.object_of(iterable, scope)
    if loader.kind != "loader" or not isinstance(loader.node, cst.Call) or loader.owner is None or loader.scope is None:
        return None
    owner = loader.owner
    if any(owner.argument(loader.node, None, keyword) is not None for keyword in ("collate_fn", "batch_sampler")):
        return None
    batch = owner.argument(loader.node, 1, "batch_size")
    if isinstance(batch, cst.Name) and batch.value == "None":
        return None
    dataset = owner.argument(loader.node, 0, "dataset")
    tensors = _dataset_tensors(owner, dataset, loader.scope)
    if tensors is not None:
        shape = (
            batch_shapes.tensor_shape(owner, tensors[index[0]], loader.scope, depth + 1)
            if index[0] < len(tensors)
            else None
        )
        sample = TensorShape(shape.dims[1:], True) if shape is not None and shape.exact and shape.dims else None
    else:
        sample = _sample_shape(owner, dataset, index[0], loader.scope, depth + 1)
    if sample is None or not sample.exact:
        return None
    return known((batch_size(id(loader.node)),) + sample.dims)


def _sample_shape(
    model: SemanticModel, dataset: Optional[cst.BaseExpression], index: int, scope: Scope, depth: int
) -> Optional[TensorShape]:
    """Element ``index`` of what a user ``Dataset``'s ``__getitem__`` returns (the default collate stacks it)."""
    obj = model.object_of(dataset, scope)
    if obj.cls is None or obj.kind != "instance":
        return None
    getitem = obj.cls.owner.method_of(obj.cls, "__getitem__")
    if getitem is None:
        return None
    owner = obj.cls.owner if getitem.cls is obj.cls else (model.owner_of(getitem) or model)
    values = [r.value for r in getitem.returns if r.value is not None]
    shapes = {batch_shapes.element_shape(owner, value, index, getitem.scope, depth + 1) for value in values}
    return shapes.pop() if len(shapes) == 1 else None


def _dataset_tensors(
    model: SemanticModel, dataset: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> Optional[List[cst.BaseExpression]]:
    if dataset is None or depth > 4:
        return None
    if isinstance(dataset, cst.Name):
        binding = model.reaching_value(dataset, scope)
        if binding is not None and binding.kind == "assign" and binding.index is None:
            return _dataset_tensors(model, binding.value, binding.scope, depth + 1)
        return None
    if isinstance(dataset, cst.Call) and model.callee_qualname(dataset, scope) in _DATASETS:
        if any(arg.star or arg.keyword is not None for arg in dataset.args):
            return None
        return [arg.value for arg in dataset.args]
    return None
