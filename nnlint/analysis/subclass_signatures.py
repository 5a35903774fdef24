"""Whether a project subclass of a library class is called exactly as the library class is.

A call of ``InfiniteDataLoader(dataset, batch_size=8, sampler=s)`` can be read with ``DataLoader``'s
parameters (positions and keywords) only when no user class between it and the library base changes the
constructor's signature: each either defines no ``__init__`` or defines ``__init__(self, *args, **kwargs)``
that hands both on unchanged to the base's (``super().__init__(*args, **kwargs)``).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from nnlint.analysis.symbols import ClassInfo

_MAX_CHAIN = 8


def keeps_base_signature(cls: ClassInfo, _depth: int = 0) -> bool:
    """No ``__init__`` of ``cls`` or of its user base classes changes the library base's signature."""
    if _depth > _MAX_CHAIN:
        return False
    init = cls.methods.get("__init__")
    if init is not None and not _passes_everything_on(init.node):
        return False
    return all(keeps_base_signature(base, _depth + 1) for base in cls.owner.base_classes(cls))


def _passes_everything_on(init: cst.FunctionDef) -> bool:
    params = init.params
    if len(params.params) != 1 or params.kwonly_params or params.posonly_params:  # `self` only, then *a, **k
        return False
    args = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
    kwargs = params.star_kwarg.name.value if params.star_kwarg is not None else None
    if args is None or kwargs is None:
        return False
    return _base_init_call(init, args, kwargs) is not None


def _base_init_call(init: cst.FunctionDef, args: str, kwargs: str) -> Optional[cst.Call]:
    """The statement-level ``super().__init__(*args, **kwargs)`` (or ``Base.__init__(self, *args, **kwargs)``)."""
    body = init.body.body if isinstance(init.body, cst.IndentedBlock) else []
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            if call.func.attr.value != "__init__":
                continue
            passed = [arg for arg in call.args if not (isinstance(arg.value, cst.Name) and arg.value.value == "self")]
            if (
                len(passed) == 2
                and passed[0].star == "*"
                and passed[1].star == "**"
                and isinstance(passed[0].value, cst.Name)
                and passed[0].value.value == args
                and isinstance(passed[1].value, cst.Name)
                and passed[1].value.value == kwargs
            ):
                return call
    return None
