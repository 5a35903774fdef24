"""DataLoaders as data: which loader a loop draws from, how it orders its samples, what its dataset is.

Built on the semantic model's public queries; answers NN1xx questions such as "does this training
loop read a loader that neither shuffles nor samples?".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import libcst as cst

from nnlint.analysis.model import CallInfo, ClassInfo, FunctionInfo, LoopInfo, Obj, Scope, SemanticModel
from nnlint.analysis.values import reaching_binding, single_return_value

# Wrappers that iterate the loader they are given (first argument) batch by batch.
_ITERATION_WRAPPERS = frozenset(
    {"enumerate", "iter", "tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "itertools.islice", "zip"}
)
_MAP_DATASETS = frozenset(
    "torch.utils.data." + n for n in ("TensorDataset", "Subset", "ConcatDataset", "StackDataset", "Dataset")
)
_ITERABLE_DATASETS = frozenset(
    {"torch.utils.data.IterableDataset", "torch.utils.data.ChainDataset", "torch.utils.data.dataset.IterableDataset"}
)
# torchtext >= 0.12 data sets are iterable datapipes; webdataset and torchdata stream
_ITERABLE_LIBRARIES = ("webdataset.", "torchdata.", "datasets.IterableDataset", "torchtext.datasets.")
_INDEX_SAMPLERS = frozenset(
    {
        "torch.utils.data.distributed.DistributedSampler",
        "torch.utils.data.DistributedSampler",
        "torch.utils.data.RandomSampler",
        "torch.utils.data.SequentialSampler",
        "torch.utils.data.SubsetRandomSampler",
    }
)
# DataLoader(dataset, batch_size, shuffle, sampler, batch_sampler, ...)
_SHUFFLE_POSITION, _SAMPLER_POSITION, _BATCH_SAMPLER_POSITION = 2, 3, 4


@dataclass(frozen=True)
class LoaderOrder:
    """How a DataLoader orders samples: ``shuffle`` is True/False, or None when not a literal."""

    shuffle: Optional[bool]
    has_sampler: bool
    opaque: bool  # **kwargs or *args hide what is passed
    sampler_may_be_none: bool = False  # `sampler=s` where s is None on some path (`... if distributed else None`)


def loader_order(obj: Obj) -> Optional[LoaderOrder]:
    """The ordering arguments of a ``DataLoader(...)`` construction."""
    if obj.kind != "loader" or not isinstance(obj.node, cst.Call) or obj.owner is None:
        return None
    call, owner = obj.node, obj.owner
    opaque = any(arg.star for arg in call.args)
    sampler = owner.argument(call, _SAMPLER_POSITION, "sampler")
    batch_sampler = owner.argument(call, _BATCH_SAMPLER_POSITION, "batch_sampler")
    given = [s for s in (sampler, batch_sampler) if s is not None and not _is_none(s)]
    may_be_none = bool(given) and all(_may_be_none(owner, s, obj.scope) for s in given)
    has_sampler = bool(given) and not may_be_none
    shuffle_expr = owner.argument(call, _SHUFFLE_POSITION, "shuffle")
    shuffle: Optional[bool]
    if shuffle_expr is None or _is_none(shuffle_expr):
        shuffle = False
    elif isinstance(shuffle_expr, cst.Name) and shuffle_expr.value in ("True", "False"):
        shuffle = shuffle_expr.value == "True"
    else:
        shuffle = None
    return LoaderOrder(shuffle, has_sampler, opaque, may_be_none)


def _may_be_none(model: SemanticModel, expr: cst.BaseExpression, scope: Optional[Scope]) -> bool:
    """A name that holds None on some path: bound to ``X if c else None``, or to None before a conditional
    rebinding (``sampler = None`` / ``if distributed: sampler = DistributedSampler(ds)``)."""
    if scope is None or not isinstance(expr, cst.Name):
        return False
    use = model.order.get(expr)
    for binding in scope.bindings.get(expr.value, []):
        if binding.kind not in ("assign", "annassign") or binding.index is not None or binding.value is None:
            continue
        if use is not None and binding.order >= use:
            continue
        value = binding.value
        if _is_none(value) or (isinstance(value, cst.IfExp) and (_is_none(value.body) or _is_none(value.orelse))):
            return True
    return False


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def iterated_loader(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> List[Obj]:
    """The DataLoader objects an iteration expression draws batches from (through enumerate/tqdm/zip/iter)."""
    if expr is None:
        return []
    if isinstance(expr, cst.Call):
        qualname = model.callee_qualname(expr, scope) or (expr.func.value if isinstance(expr.func, cst.Name) else None)
        if qualname in _ITERATION_WRAPPERS:
            args = [a.value for a in expr.args if a.keyword is None and not a.star]
            if qualname != "zip":
                args = args[:1]
            found: List[Obj] = []
            for arg in args:
                found.extend(iterated_loader(model, arg, scope))
            return found
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if (
            binding is not None
            and binding.kind == "assign"
            and binding.index is None
            and _is_iteration_wrapper(model, binding.value, binding.scope)
        ):
            return iterated_loader(
                model, binding.value, binding.scope
            )  # `progress = tqdm(loader)`, then `for b in progress`
    alternatives = _loader_alternatives(model, expr, scope) if isinstance(expr, cst.Name) else []
    if len(alternatives) > 1:
        return alternatives
    obj = loader_object(model, expr, scope)
    return [obj] if obj.kind == "loader" else alternatives


def _loader_alternatives(model: SemanticModel, name: cst.Name, scope: Scope, depth: int = 0) -> List[Obj]:
    """``if dist: loader = DataLoader(ds, sampler=s) else: loader = DataLoader(ds, shuffle=False)``: each
    loader the name may hold feeds the loop on its own paths. Through a parameter only when a single call
    passes it: a helper called once with the training loader and once with the validation loader
    (``run_epoch(train_loader, train=True)``) is judged per phase, not here."""
    bindings = model.alternative_bindings(name, scope)
    params = [b for b in bindings if b.kind == "param"]
    if not params:
        return model.object_alternatives(name, scope, kinds=("loader",))
    if len(bindings) != 1 or depth > 3 or params[0].scope.function is None:
        return []
    passed = model.passed_arguments(params[0].scope.function, params[0].name)
    if len(passed) != 1:
        return []
    arg, arg_scope, owner = passed[0]
    return _loader_alternatives(owner, arg, arg_scope, depth + 1) if isinstance(arg, cst.Name) else []


def _is_iteration_wrapper(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    qualname = model.callee_qualname(expr, scope) or (expr.func.value if isinstance(expr.func, cst.Name) else None)
    return qualname in _ITERATION_WRAPPERS


def loader_object(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Obj:
    """``object_of`` plus tuple unpacking of a helper's return (``train_loader, val_loader = make_loaders()``),
    also when that tuple element reaches a function through a parameter."""
    obj = model.object_of(expr, scope)
    if obj.kind != "unknown" or not isinstance(expr, cst.Name) or depth > 4:
        return obj
    binding = reaching_binding(model, expr, scope)
    if binding is not None and binding.kind == "param" and binding.scope.function is not None:
        candidates = {
            id(found.node): found
            for found in (
                loader_object(owner, arg, arg_scope, depth + 1)
                for arg, arg_scope, owner in model.passed_arguments(binding.scope.function, binding.name)
            )
        }
        if len(candidates) == 1:
            return next(iter(candidates.values()))
        return obj
    element = _unpacked_element(model, expr, scope)
    if element is None:
        return obj
    value, value_scope, owner = element
    return owner.object_of(value, value_scope)


def _unpacked_element(
    model: SemanticModel, name: cst.Name, scope: Scope
) -> Optional[Tuple[cst.BaseExpression, Scope, SemanticModel]]:
    """For ``a, b = helper()`` where helper returns ``x, y``: the returned element bound to the name."""
    binding = reaching_binding(model, name, scope)
    if binding is None or binding.index is None or len(binding.index) != 1 or not isinstance(binding.value, cst.Call):
        return None
    returned = single_return_value(model, binding.value, binding.scope)
    if returned is None:
        return None
    value, func_scope, owner = returned
    if not isinstance(value, cst.Tuple) or binding.index[0] >= len(value.elements):
        return None
    return value.elements[binding.index[0]].value, func_scope, owner


def loops_over_loaders(model: SemanticModel, loop: LoopInfo) -> List[Tuple[Obj, cst.BaseExpression]]:
    """Loaders a loop draws from: its ``for`` iterable, or ``next(it)`` calls inside it (``it = iter(loader)``)."""
    found: List[Tuple[Obj, cst.BaseExpression]] = []
    if loop.iter is not None:
        found.extend((obj, loop.iter) for obj in iterated_loader(model, loop.iter, loop.scope))
    if any(other.parent is loop and model.is_training_loop(other) for other in model.loops):
        return found
    for call in loop.calls:
        # next(it) counts only at this loop's own level, outside no_grad: a `next(iter(val_loader))` in
        # the epoch loop around the real training loop is an evaluation batch.
        if call.loops[-1:] != (loop,) or (model.in_no_grad(call) and not _feeds_gradients(model, loop, call)):
            continue
        source: Optional[cst.BaseExpression] = None
        if isinstance(call.node.func, cst.Name) and call.node.func.value == "next" and call.node.args:
            source = call.node.args[0].value
        elif call.method_name in ("next", "__next__") and not call.node.args:  # `it.next()` (Python 2 style)
            source = call.receiver
        if source is not None:
            if isinstance(source, cst.Name):
                binding = reaching_binding(model, source, call.scope)
                if binding is not None and binding.index is None and isinstance(binding.value, cst.Call):
                    found.extend((obj, source) for obj in iterated_loader(model, binding.value, binding.scope))
                    continue
            found.extend((obj, source) for obj in iterated_loader(model, source, call.scope))
    return found


def _feeds_gradients(model: SemanticModel, loop: LoopInfo, draw: CallInfo) -> bool:
    """``with torch.no_grad(): batch = next(batches)`` (fetching without autograd), then ``model(**batch)``
    outside it: the batch drawn under ``no_grad`` is read at the loop's level by a call that records a graph."""
    statement = model.parent.get(draw.node)
    if not isinstance(statement, cst.Assign) or statement.value is not draw.node:
        return False
    names = {
        node.value
        for target in statement.targets
        for node in model.descendants(target.target, cst.Name)
        if isinstance(node, cst.Name)
    }
    for call in loop.calls:
        if call.loops[-1:] != (loop,) or call is draw or model.in_no_grad(call):
            continue
        if any(isinstance(n, cst.Name) and n.value in names for n in model.descendants(call.node, cst.Name)):
            return True
    return False


def lightning_train_loaders(model: SemanticModel) -> List[Tuple[FunctionInfo, Obj, cst.BaseExpression]]:
    """Loaders returned by a ``train_dataloader`` method (LightningModule / LightningDataModule hook):
    the framework trains on them, no loop in the file shows it."""
    found: List[Tuple[FunctionInfo, Obj, cst.BaseExpression]] = []
    for func in model.functions:
        if func.name != "train_dataloader" or func.cls is None:
            continue
        for ret in func.returns:
            if ret.value is None:
                continue
            obj = loader_object(model, ret.value, func.scope)
            if obj.kind == "loader":
                found.append((func, obj, ret.value))
    return found


_SPLITS = frozenset({"torch.utils.data.random_split", "sklearn.model_selection.train_test_split"})


def returned_training_split_loaders(model: SemanticModel) -> List[Tuple[FunctionInfo, Obj, cst.BaseExpression]]:
    """Loaders a function builds over the first (training) part of a ``random_split`` and hands back to its
    caller (``return train_set, train_loader, val_set, val_loader``): they feed training in another module."""
    found: List[Tuple[FunctionInfo, Obj, cst.BaseExpression]] = []
    for func in model.functions:
        for ret in func.returns:
            values = ret.value.elements if isinstance(ret.value, cst.Tuple) else []
            for element in values:
                if not isinstance(element.value, cst.Name):
                    continue
                obj = model.object_of(element.value, func.scope)
                if obj.kind != "loader" or not isinstance(obj.node, cst.Call) or obj.owner is not model:
                    continue
                if _over_training_split(
                    model, model.argument(obj.node, 0, "dataset"), func.scope
                ) and not _iterated_here(model, obj):
                    found.append((func, obj, element.value))
    return found


def _over_training_split(model: SemanticModel, dataset: Optional[cst.BaseExpression], scope: Scope) -> bool:
    if not isinstance(dataset, cst.Name):
        return False
    binding = reaching_binding(model, dataset, scope)
    return (
        binding is not None
        and binding.index == (0,)
        and isinstance(binding.value, cst.Call)
        and model.callee_qualname(binding.value, binding.scope) in _SPLITS
    )


def _iterated_here(model: SemanticModel, loader: Obj) -> bool:
    return any(obj.node is loader.node for loop in model.loops for obj, _ in loops_over_loaders(model, loop))


def dataset_style(loader: Obj) -> str:
    """``map`` (indexable: shuffling applies), ``iterable`` (a stream: it cannot be shuffled), ``synthetic``
    (every sample is random numbers: the order means nothing) or ``unknown``."""
    if not isinstance(loader.node, cst.Call) or loader.owner is None or loader.scope is None:
        return "unknown"
    dataset = loader.owner.argument(loader.node, 0, "dataset")
    style = _style_of(loader.owner, dataset, loader.scope, 0)
    if style == "unknown" and _given_an_index_sampler(loader.owner, loader.node, loader.scope):
        return "map"  # a DistributedSampler/RandomSampler indexes its data set: it is map-style
    return style


def _given_an_index_sampler(model: SemanticModel, call: cst.Call, scope: Scope) -> bool:
    sampler = model.argument(call, _SAMPLER_POSITION, "sampler")
    if not isinstance(sampler, cst.Name):
        return False
    for binding in scope.bindings.get(sampler.value, []):
        if binding.kind != "assign" or binding.value is None:
            continue
        values = [binding.value.body, binding.value.orelse] if isinstance(binding.value, cst.IfExp) else [binding.value]
        for value in values:
            if isinstance(value, cst.Call) and model.callee_qualname(value, binding.scope) in _INDEX_SAMPLERS:
                return True
    return False


def _style_of(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int) -> str:
    if expr is None or depth > 8:
        return "unknown"
    if isinstance(expr, (cst.List, cst.Tuple, cst.ListComp)):
        return "map"
    if isinstance(expr, cst.Subscript):
        return "unknown"
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if binding is None or binding.value is None:
            if binding is not None and binding.kind == "param" and binding.scope.function is not None:
                styles = {
                    _style_of(owner, arg, s, depth + 1)
                    for arg, s, owner in model.passed_arguments(binding.scope.function, binding.name)
                }
                return styles.pop() if len(styles) == 1 else "unknown"
            return "unknown"
        if binding.index is not None:
            if (
                isinstance(binding.value, cst.Call)
                and model.callee_qualname(binding.value, binding.scope) == "torch.utils.data.random_split"
            ):
                return "map"
            element = _unpacked_element(model, expr, scope)
            return _style_of(element[2], element[0], element[1], depth + 1) if element else "unknown"
        if binding.kind in ("assign", "annassign", "walrus"):
            return _style_of(model, binding.value, binding.scope, depth + 1)
        return "unknown"
    if isinstance(expr, cst.Attribute):
        func = scope.function
        if (
            func is not None
            and func.cls is not None
            and isinstance(expr.value, cst.Name)
            and expr.value.value == func.instance_param
        ):
            styles = {
                _style_of(func.cls.owner, b.value, b.scope, depth + 1)
                for b in func.cls.attributes.get(expr.attr.value, [])
            }
            return styles.pop() if len(styles) == 1 else "unknown"
        return "unknown"
    if not isinstance(expr, cst.Call):
        return "unknown"
    qualname = model.callee_qualname(expr, scope)
    if any(arg.keyword is not None and arg.keyword.value == "streaming" for arg in expr.args):
        return "iterable"
    if qualname is not None:
        if qualname in _ITERABLE_DATASETS or qualname.startswith(_ITERABLE_LIBRARIES):
            return "iterable"
        if qualname in _MAP_DATASETS or qualname.startswith("torchvision.datasets."):
            return "map"
    cls = model.resolve_class(expr.func, scope)
    if cls is not None:
        return class_style(cls)
    returned = single_return_value(model, expr, scope)
    if returned is not None:
        return _style_of(returned[2], returned[0], returned[1], depth + 1)
    return "unknown"


def class_style(cls: ClassInfo, depth: int = 0) -> str:
    """A user dataset class: iterable when it derives from IterableDataset or only defines ``__iter__``."""
    if depth > 6:
        return "unknown"
    owner = cls.owner
    scope = cls.scope.parent or owner.module_scope
    for base in cls.bases:
        qualname = owner.qualname(base, scope)
        if qualname in _ITERABLE_DATASETS or (qualname or "").startswith(_ITERABLE_LIBRARIES):
            return "iterable"
    for base_class in owner.base_classes(cls):
        style = class_style(base_class, depth + 1)
        if style != "unknown":
            return style
    if "__getitem__" in cls.methods:
        return "synthetic" if _returns_only_random_data(cls, cls.methods["__getitem__"]) else "map"
    if "__iter__" in cls.methods:
        return "iterable"
    for base in cls.bases:
        if owner.qualname(base, scope) in _MAP_DATASETS:
            return "map"
    return "unknown"


_RANDOM_PREFIXES = ("torch.rand", "torch.normal", "numpy.random.", "random.")


def _returns_only_random_data(cls: ClassInfo, getitem: FunctionInfo) -> bool:
    """Every value ``__getitem__`` returns is drawn at random (``torch.randint`` tokens, ``randn`` images),
    directly or from an attribute filled that way: a synthetic data set (labels built by ``arange`` are not)."""
    owner = cls.owner
    returns = [ret.value for ret in getitem.returns if ret.value is not None]
    return bool(returns) and all(_random_value(owner, cls, value, getitem.scope, 0) for value in returns)


def _random_value(model: SemanticModel, cls: ClassInfo, expr: cst.BaseExpression, scope: Scope, depth: int) -> bool:
    if depth > 6:
        return False
    if isinstance(expr, (cst.Tuple, cst.List)):
        return bool(expr.elements) and all(_random_value(model, cls, e.value, scope, depth + 1) for e in expr.elements)
    if isinstance(expr, cst.Dict):
        return bool(expr.elements) and all(
            isinstance(e, cst.DictElement) and _random_value(model, cls, e.value, scope, depth + 1)
            for e in expr.elements
        )
    if isinstance(expr, cst.Subscript):
        return _random_value(model, cls, expr.value, scope, depth + 1)
    if isinstance(expr, cst.Call):
        qualname = model.callee_qualname(expr, scope) or ""
        if qualname.startswith(_RANDOM_PREFIXES):
            return True
        func = expr.func
        if isinstance(func, cst.Attribute) and qualname == "" and func.attr.value in ("clone", "long", "float", "to"):
            return _random_value(model, cls, func.value, scope, depth + 1)
        return False
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        return (
            binding is not None
            and binding.kind == "assign"
            and binding.index is None
            and binding.value is not None
            and binding.scope is scope
            and _random_value(model, cls, binding.value, scope, depth + 1)
        )
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
        bindings = cls.attributes.get(expr.attr.value, [])
        return bool(bindings) and all(
            b.value is not None and _random_value(model, cls, b.value, b.scope, depth + 1) for b in bindings
        )
    return False
