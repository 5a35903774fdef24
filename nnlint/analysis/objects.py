"""Objects and their roles: what an expression holds (a model, layer, loss, optimizer, scheduler, loader...).

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.literal_arguments import literal_arguments, return_taken
from nnlint.analysis.keyed_items import keyed_item
from nnlint.analysis.launchers import passed_through_argument, passes_through
from nnlint.analysis.record_fields import field_argument
from nnlint.analysis.registries import built_object
from nnlint.analysis.returned_items import one_object, returned_items
from nnlint.analysis.symbols import (
    _MAX_DEPTH,
    UNKNOWN,
    Binding,
    ClassInfo,
    Obj,
    Scope,
)

# methods of a (third-party) model that run its forward, or part of it, in its current mode: Hugging Face's
# decoding loop, timm's and fairseq's feature extractors, CLIP's encoders (not sentence-transformers'
# `encode`, which sets eval mode itself)
GENERATION_METHODS = frozenset(
    {
        "generate",
        "forward_features",
        "forward_head",
        "extract_features",
        "encode_image",
        "encode_text",
        "get_image_features",
        "get_text_features",
    }
)

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class ObjectRoles:
    def object_of(self: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, _depth: int = 0) -> Obj:
        """What object an expression holds: follows names, ``self.attr``, wrappers and call sites."""
        if expr is None or _depth > _MAX_DEPTH:
            return UNKNOWN
        key = (id(expr), id(scope))
        cached = self._object_cache.get(key)
        if cached is not None:
            return cached
        if key in self._objects_in_progress:
            self._object_cycles += 1  # a cycle: unknown here, but the answer may be known once it unwinds
            return UNKNOWN
        self._objects_in_progress.add(key)
        cycles_before = self._object_cycles
        try:
            result = self._object_of(expr, scope, _depth)
        finally:
            self._objects_in_progress.discard(key)
        if result.kind != "unknown" or self._object_cycles == cycles_before:
            self._object_cache[key] = result  # an unknown reached through a cycle is not final: don't cache it
        return result

    def _object_of(self: "SemanticModel", expr: cst.BaseExpression, scope: Scope, depth: int) -> Obj:
        if isinstance(expr, cst.Name):
            binding = self.reaching_value(expr, scope)
            if binding is None:
                return UNKNOWN
            cycles_before = self._object_cycles  # usage is a fallback for a final "unknown", not for one inside a cycle
            if binding.kind in ("assign", "annassign", "walrus", "with") and binding.index is None:
                if _binds_none(binding):
                    return self._object_where_not_none(expr, scope, depth)
                found = self.object_of(binding.value, binding.scope, depth + 1)
                if (
                    found.kind == "unknown"
                    and self._object_cycles == cycles_before
                    and isinstance(binding.value, (cst.Call, cst.Name, cst.Attribute, cst.Subscript))
                ):
                    return self.object_by_usage(binding) or UNKNOWN
                return found
            if _binds_none(binding):  # `train_sampler, dev_sampler = None, None`, then built under `if ddp:`
                return self._object_where_not_none(expr, scope, depth)
            if (
                binding.kind in ("assign", "unpack")
                and binding.index is not None
                and len(binding.index) == 1
                and isinstance(binding.value, (cst.Tuple, cst.List))
            ):
                elements = binding.value.elements  # `criterion_a, criterion_b = nn.BCELoss(), nn.NLLLoss()`
                position = binding.index[0]
                if position < len(elements) and not any(
                    isinstance(e, cst.StarredElement) for e in elements[: position + 1]
                ):
                    return self.object_of(elements[position].value, binding.scope, depth + 1)
                return UNKNOWN
            if (
                binding.kind in ("assign", "unpack")
                and binding.index is not None
                and len(binding.index) == 1
                and isinstance(binding.value, cst.Call)
            ):
                qualname = self.callee_qualname(binding.value, binding.scope)
                if qualname is not None and api.MODEL_FACTORIES.get(qualname, -1) == binding.index[0]:
                    # `model, _, preprocess = open_clip.create_model_and_transforms(name)`
                    return Obj("model", qualname, binding.value, None, self, binding.scope)
                handed_back = passed_through_argument(self, binding.value, binding.scope, binding.index[0])
                if handed_back is not None:  # `model, opt, dl = accelerator.prepare(model, opt, dl)`
                    return self.object_of(handed_back, binding.scope, depth + 1)
                items = returned_items(self, binding.value, binding.scope, binding.index[0])
                if items:  # `criterion, criterion_val = get_loss(args)`, `return criterion, criterion_val`
                    held = one_object([owner.object_of(e, s, depth + 1) for e, s, owner in items], self, scope)
                    if held.kind != "unknown":
                        return held
            if binding.kind == "param":
                func = binding.scope.function
                if func is None:
                    return UNKNOWN
                passed = self.passed_arguments(func, binding.name)
                if not passed and isinstance(binding.value, cst.Call):
                    # built by default in the signature (`loss=nn.CrossEntropyLoss()`): that, or what callers pass
                    passed = self.values_with_default(func, binding.name)
                candidates = {
                    id(o.node) if o.node is not None else None: o
                    for o in (owner.object_of(arg, arg_scope, depth + 1) for arg, arg_scope, owner in passed)
                    if o.kind != "unknown"
                }
                candidates = _without_usage_only(candidates)
                if len(candidates) == 1:
                    return next(iter(candidates.values()))
                kinds = {o.kind for o in candidates.values()}
                if len(kinds) == 1 and candidates:
                    first = next(iter(candidates.values()))
                    classes = {id(o.cls) for o in candidates.values()}
                    if (
                        len(classes) == 1 and first.cls is not None
                    ):  # one class, built in several places (train.py, test.py)
                        return Obj(first.kind, first.qualname, None, first.cls, first.owner, scope)
                    return Obj(
                        first.kind,
                        first.qualname if len({o.qualname for o in candidates.values()}) == 1 else None,
                        None,
                        None,
                        self,
                        scope,
                    )
                if not candidates and self._object_cycles == cycles_before:
                    return self.object_by_usage(binding) or UNKNOWN
                return UNKNOWN
            if binding.kind == "class":
                return UNKNOWN
            return UNKNOWN
        if isinstance(expr, cst.Attribute):
            cls = self._self_class(expr.value, scope)
            if cls is not None:
                cycles_before = self._object_cycles
                found = self.attribute_object(cls, expr.attr.value, depth + 1)
                if found.kind == "unknown" and self._object_cycles == cycles_before:
                    return self._attribute_by_usage(cls, expr.attr.value) or UNKNOWN
                return found
            base = self.object_of(expr.value, scope, depth + 1)
            if base.kind == "loader" and expr.attr.value == "sampler" and isinstance(base.node, cst.Call):
                sampler = base.owner.argument(base.node, None, "sampler") if base.owner else None
                if sampler is not None and base.scope is not None and base.owner is not None:
                    return base.owner.object_of(sampler, base.scope, depth + 1)
            if base.kind == "model" and expr.attr.value == "module":
                return base  # DataParallel/DDP's .module is the wrapped model itself
            if base.kind in ("model", "instance") and base.cls is not None:
                if isinstance(base.node, cst.Call) and base.owner is not None and base.scope is not None:
                    field = field_argument(base.owner, base.node, base.cls, expr.attr.value)
                    if field is not None:  # `context.model` of `Context(model, ...)`, a dataclass
                        return base.owner.object_of(field, base.scope, depth + 1)
                return base.cls.owner.attribute_object(base.cls, expr.attr.value, depth + 1)
            return UNKNOWN
        if isinstance(expr, cst.Call):
            return self._object_of_call(expr, scope, depth)
        if isinstance(expr, cst.Subscript):  # `loaders["train"]` of `loaders = {"train": DataLoader(...), ...}`
            item = keyed_item(self, expr, scope)
            return item[2].object_of(item[0], item[1], depth + 1) if item is not None else UNKNOWN
        if isinstance(expr, cst.IfExp):  # `build_head(cfg) if cfg else None`: the object, where there is one
            built = [b for b in (expr.body, expr.orelse) if not _is_none(b)]
            return self.object_of(built[0], scope, depth + 1) if len(built) == 1 else UNKNOWN
        return UNKNOWN

    def _object_where_not_none(self: "SemanticModel", name: cst.Name, scope: Scope, depth: int) -> Obj:
        """A name whose reaching binding is ``None`` on some paths only (``if ddp: sampler = DistributedSampler(ds)
        else: sampler = None``): the one object it holds where it holds one, as for ``x if c else None``."""
        built = [b for b in self.alternative_bindings(name, scope) if not _binds_none(b)]
        if len(built) != 1 or built[0].kind not in ("assign", "annassign") or built[0].index is not None:
            return UNKNOWN
        return self.object_of(built[0].value, built[0].scope, depth + 1)

    def object_alternatives(
        self: "SemanticModel",
        expr: cst.BaseExpression,
        scope: Scope,
        depth: int = 0,
        kinds: Tuple[str, ...] = ("model", "layer"),
    ) -> List[Obj]:
        """Every object of ``kinds`` (modules by default) a name may hold: one per binding made on some paths
        only (``net = UNet3Plus()`` in one branch, ``net = UNet()`` in another), and, for a parameter, per
        argument its callers pass; for ``self.<attr>``, one per assignment in the class.
        ``object_of`` gives the single answer; this gives the choices."""
        if depth > _MAX_DEPTH:
            return []
        found: Dict[int, Obj] = {}
        if isinstance(expr, cst.Attribute):
            cls = self._self_class(expr.value, scope)
            if cls is None:
                return []
            for candidate in [cls, *cls.owner.base_classes(cls)]:  # `self.net = A()` in one branch, `B()` in another
                for binding in candidate.attributes.get(expr.attr.value, []):
                    if binding.value is not None:
                        obj = candidate.owner.object_of(binding.value, binding.scope, depth + 1)
                        found.setdefault(id(obj.node), obj)
            return [obj for obj in found.values() if obj.kind in kinds and obj.node is not None]
        if not isinstance(expr, cst.Name):
            return []
        for binding in self.alternative_bindings(expr, scope):
            if binding.kind == "param" and binding.scope.function is not None:
                for arg, arg_scope, owner in self.passed_arguments(binding.scope.function, binding.name):
                    candidates = owner.object_alternatives(arg, arg_scope, depth + 1, kinds) or [
                        owner.object_of(arg, arg_scope, depth + 1)
                    ]
                    for obj in candidates:
                        found.setdefault(id(obj.node), obj)
            elif binding.kind in ("assign", "annassign") and binding.index is None and binding.value is not None:
                obj = self.object_of(binding.value, binding.scope, depth + 1)
                found.setdefault(id(obj.node), obj)
        return [obj for obj in found.values() if obj.kind in kinds and obj.node is not None]

    def _self_class(self: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> Optional[ClassInfo]:
        """The class of ``self`` when ``expr`` is the first parameter of a method."""
        func = scope.function
        if func is None or func.cls is None:
            return None
        if isinstance(expr, cst.Name) and expr.value == func.instance_param:
            return func.cls
        return None

    def _attribute_by_usage(self: "SemanticModel", cls: ClassInfo, attr: str) -> Optional[Obj]:
        """``self.model`` proven a model by its uses, where the class (or a base) assigns it."""
        for candidate in [cls, *cls.owner.base_classes(cls)]:
            if attr in candidate.attributes:
                return candidate.owner.object_by_usage((candidate, attr))
        return None

    def attribute_object(self: "SemanticModel", cls: ClassInfo, attr: str, depth: int = 0) -> Obj:
        """What ``self.<attr>`` holds in a class (its assignments in any method, or inherited)."""
        for candidate in [cls, *cls.owner.base_classes(cls)]:
            bindings = candidate.attributes.get(attr) or candidate.scope.bindings.get(attr)
            if bindings:
                for binding in reversed(bindings):
                    obj = candidate.owner.object_of(binding.value, binding.scope, depth + 1)
                    if obj.kind != "unknown":
                        return obj
                return UNKNOWN
        return UNKNOWN

    def _object_of_call(self: "SemanticModel", call: cst.Call, scope: Scope, depth: int) -> Obj:
        func = call.func
        # method calls that return their receiver (model.to(device), model.cuda(), loader wrappers)
        if isinstance(func, cst.Attribute) and func.attr.value in (
            "to",
            "cuda",
            "cpu",
            "float",
            "double",
            "half",
            "train",
            "eval",
            "requires_grad_",
            "type",
            "bfloat16",
            "module",
        ):
            receiver = self.object_of(func.value, scope, depth + 1)
            if receiver.kind in ("model", "layer", "loss"):  # a loss is a module too: `nn.CrossEntropyLoss().cuda()`
                return receiver
        if len(call.args) == 1 and passes_through(self, call, scope):
            return self.object_of(call.args[0].value, scope, depth + 1)  # `model = accelerator.prepare(model)`
        qualname = self.callee_qualname(call, scope)
        if qualname is not None:
            if qualname in api.MODEL_WRAPPERS or qualname.endswith("DistributedDataParallel"):
                inner = self.argument(call, 0, "module") or self.argument(call, 0, "model")
                wrapped = self.object_of(inner, scope, depth + 1)
                return wrapped if wrapped.kind != "unknown" else Obj("model", qualname, call, None, self, scope)
            kind = self._kind_of_api(qualname)
            if kind is not None:
                return Obj(kind, qualname, call, None, self, scope)
            if qualname in api.CONTAINER_CLASSES:
                return Obj("model", qualname, call, None, self, scope)
            if (
                api.is_mode_dependent_architecture(qualname)
                or qualname.startswith("torchvision.models.")
                or _is_timm_model_factory(qualname)
            ):
                return Obj("model", qualname, call, None, self, scope)
            transformers_class = api.transformers_model_class(qualname)
            if transformers_class is not None:
                return Obj("model", transformers_class, call, None, self, scope)
        if isinstance(func, cst.Attribute) and func.attr.value in ("parameters", "named_parameters"):
            return UNKNOWN
        if (
            isinstance(func, cst.Subscript)
            and isinstance(func.value, cst.Attribute)
            and func.value.attr.value == "__dict__"
            and self.qualname(func.value.value, scope) == "torchvision.models"
        ):  # `models.__dict__[args.arch](pretrained=True)`: a torchvision architecture picked by name
            return Obj("model", api.TORCHVISION_BY_NAME, call, None, self, scope)
        cls = self.resolve_class(func, scope)
        if cls is not None:
            return Obj(_class_kind(cls) or "instance", None, call, cls, cls.owner, scope)
        chosen = self._built_by_chosen_class(call, scope)
        if chosen is not None:
            return chosen
        built = built_object(self, call, scope)  # `build_head(cfg)`: a class of a registry
        if built is not None:
            return built
        target = self.resolve_function(func, scope)
        if target is not None and depth < _MAX_DEPTH:
            owner = self.owner_of(target)
            if owner is not None:
                taken = return_taken(owner, target, literal_arguments(self, call, target))
                if taken is not None and taken.value is not None:  # `get_criterion("mse")`: the branch it takes
                    return owner.object_of(taken.value, target.scope, depth + 1)
                for ret in reversed(target.returns):
                    obj = owner.object_of(ret.value, target.scope, depth + 1)
                    if obj.kind != "unknown":
                        return obj
        return UNKNOWN

    def chosen_classes(
        self: "SemanticModel", func: cst.BaseExpression, scope: Scope
    ) -> List[Tuple[Optional[str], Optional[ClassInfo]]]:
        """``loader = DataLoader if cond else InfiniteDataLoader``: for a name bound to a conditional choice
        between classes, each class as (library qualname, None) or (None, project class); [] otherwise."""
        if not isinstance(func, cst.Name):
            return []
        binding = self.lookup(func.value, scope, self.order.get(func))
        if binding is None or binding.kind != "assign" or binding.index is not None:
            return []
        if not isinstance(binding.value, cst.IfExp):
            return []
        found: List[Tuple[Optional[str], Optional[ClassInfo]]] = []
        for branch in (binding.value.body, binding.value.orelse):
            if not isinstance(branch, (cst.Name, cst.Attribute)):
                return []
            cls = self.resolve_class(branch, binding.scope)
            found.append((None, cls) if cls is not None else (self.qualname(branch, binding.scope), None))
        return found

    def _built_by_chosen_class(self: "SemanticModel", call: cst.Call, scope: Scope) -> Optional[Obj]:
        """A call of a class picked by a conditional expression (:meth:`chosen_classes`) builds an object of
        the kind both classes share; its qualname is the library class's when only one is named."""
        kinds: Set[str] = set()
        qualnames: Set[str] = set()
        choices = self.chosen_classes(call.func, scope)
        for qualname, cls in choices:
            kind = _class_kind(cls) if cls is not None else self._kind_of_api(qualname) if qualname else None
            if kind is None:
                return None
            kinds.add(kind)
            if qualname is not None:
                qualnames.add(qualname)
        if len(kinds) != 1:
            return None
        return Obj(kinds.pop(), qualnames.pop() if len(qualnames) == 1 else None, call, None, self, scope)

    @staticmethod
    def _kind_of_api(qualname: str) -> Optional[str]:
        if qualname in api.LOSS_CLASSES:
            return "loss"
        if qualname in api.OPTIMIZERS:
            return "optimizer"
        if api.is_scheduler(qualname):
            return "scheduler"
        if qualname in api.DATALOADERS:
            return "loader"
        if qualname in api.SAMPLERS:
            return "sampler"
        if (
            qualname.startswith(api.NN)
            and qualname not in api.CONTAINER_CLASSES
            and qualname[len(api.NN) :][:1].isupper()
            and "." not in qualname[len(api.NN) :]
        ):
            return "layer"
        return None

    def called_object(self: "SemanticModel", call: cst.Call, scope: Scope) -> Obj:
        """The module (or loss) object a call runs: ``model(x)``, and also ``model.forward(x)``,
        ``loss.forward(a, b)``."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("forward", "__call__"):
            func = func.value
            receiver = self.object_of(func, scope)
            if receiver.kind in ("model", "layer", "loss"):
                return receiver
        own_class = self._self_class(func, scope)
        if own_class is not None and self.is_module_class(own_class):
            return Obj("model", None, None, own_class, own_class.owner, scope)  # `self(x)` in a module's own method
        return self.object_of(func, scope)

    def run_object(self: "SemanticModel", call: cst.Call, scope: Scope) -> Obj:
        """The module whose forward a call runs, in the module's current mode: what :meth:`called_object`
        finds, and also a model's ``generate(...)`` (Hugging Face's decoding loop, which calls the forward
        at every step) where the project defines no ``generate`` of its own (that one is analysed as code).
        For the mode analysis only: what ``generate`` returns is token ids, not the forward's output."""
        obj = self.called_object(call, scope)
        func = call.func
        if obj.kind == "model" or not isinstance(func, cst.Attribute) or func.attr.value not in GENERATION_METHODS:
            return obj
        receiver = self.object_of(func.value, scope)
        if receiver.kind != "model":
            return obj
        if receiver.cls is not None and self.method_of(receiver.cls, func.attr.value) is not None:
            return obj
        return receiver

    def loss_kind(self: "SemanticModel", call: cst.Call, scope: Scope) -> Optional[Tuple[str, str]]:
        """(family, qualname) when a call computes a loss: ``criterion(out, y)`` or ``F.cross_entropy(out, y)``."""
        qualname = self.callee_qualname(call, scope)
        if qualname in api.LOSS_FUNCTIONS:
            return api.LOSS_FUNCTIONS[qualname], qualname
        if qualname in api.LOSS_CLASSES:
            return None  # constructing the loss, not computing it
        obj = self.called_object(call, scope)
        if obj.kind == "loss" and obj.qualname is not None:
            return api.LOSS_CLASSES[obj.qualname], obj.qualname
        return None


def _is_timm_model_factory(qualname: str) -> bool:
    """``timm.create_model``/``timm.models.*`` build models; timm.optim, timm.scheduler, timm.data... do not."""
    return qualname == "timm.create_model" or qualname.startswith("timm.models.")


def _is_none(value: Optional[cst.BaseExpression]) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def _binds_none(binding: Binding) -> bool:
    """``x = None``, or ``None`` in ``x``'s place of a literal tuple (``a, b = None, None``)."""
    if binding.kind not in ("assign", "annassign", "unpack"):
        return False
    if binding.index is None:
        return binding.kind != "unpack" and _is_none(binding.value)
    if len(binding.index) != 1 or not isinstance(binding.value, (cst.Tuple, cst.List)):
        return False
    elements = binding.value.elements
    position = binding.index[0]
    if position >= len(elements) or any(isinstance(e, cst.StarredElement) for e in elements[: position + 1]):
        return False
    return _is_none(elements[position].value)


def _without_usage_only(candidates: Dict[Optional[int], Obj]) -> Dict[Optional[int], Obj]:
    """Objects passed for a parameter, less those only their uses prove (a caller's own parameter that no
    visible call fills), where a constructed object of the same kind is known: such a caller hands over
    something out of sight, like a caller in no analysed file, and does not blur what the others pass."""
    constructed = {o.kind for o in candidates.values() if not o.by_usage}
    return {key: o for key, o in candidates.items() if not (o.by_usage and o.kind in constructed)}


def _class_kind(cls: ClassInfo) -> Optional[str]:
    """What a call of a user class builds: a model (an ``nn.Module``), the kind of a torch base it derives
    from (scheduler, optimizer, loader), or None for any other class."""
    return "model" if cls.owner.is_module_class(cls) else cls.owner.library_base_kind(cls)
