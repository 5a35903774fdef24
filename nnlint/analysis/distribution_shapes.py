"""Shapes around ``torch.distributions``: a distribution's batch and event shapes, read from its
parameters, and what its methods give. ``Normal(mu, std).log_prob(a)`` is per dimension: it has the
shape of ``mu`` broadcast with ``a``, not one value per sample (the sum over the last axis is).

Part of the shape analysis of :mod:`~nnlint.analysis.batch_shapes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import libcst as cst

from nnlint.analysis import batch_shapes
from nnlint.analysis.dims import ANY, Dim, TensorShape, broadcast, informative, known
from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.values import self_attribute_values

_MAX_DEPTH = 40
_PREFIX = "torch.distributions."
# Distributions over scalars: the batch shape is the broadcast of the parameters.
_ELEMENTWISE = frozenset(
    {
        "Normal",
        "Laplace",
        "Cauchy",
        "LogNormal",
        "Gumbel",
        "StudentT",
        "Uniform",
        "Beta",
        "Gamma",
        "Exponential",
        "Bernoulli",
        "Poisson",
        "HalfNormal",
        "HalfCauchy",
        "Chi2",
        "Geometric",
        "ContinuousBernoulli",
        "Binomial",
        "Kumaraswamy",
        "Weibull",
        "Pareto",
        "VonMises",
        "RelaxedBernoulli",
        "FisherSnedecor",
        "NegativeBinomial",
    }
)
# Parameter whose last axis is the event (or the category) axis.
_LAST_AXIS_EVENT = {"MultivariateNormal": "loc", "LowRankMultivariateNormal": "loc", "Dirichlet": "concentration"}
_CATEGORICAL = frozenset({"Categorical", "OneHotCategorical", "RelaxedOneHotCategorical"})
_NOT_PARAMETERS = frozenset({"validate_args"})


@dataclass(frozen=True)
class DistributionShape:
    batch: TensorShape
    event: Tuple[Dim, ...] = ()

    def sample(self) -> Optional[TensorShape]:
        return informative(TensorShape(self.batch.dims + self.event, self.batch.exact))


def distribution_of(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> Optional[DistributionShape]:
    """The shapes of the distribution an expression holds (``Normal(mu, std)``, a name bound to one)."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if (
            binding is not None
            and binding.kind in ("assign", "annassign")
            and binding.index is None
            and binding.value is not None
        ):
            return distribution_of(model, binding.value, binding.scope, depth + 1)
        return None
    if isinstance(expr, cst.Attribute):
        assigned = self_attribute_values(model, expr, scope)
        if len(assigned) == 1:
            value, value_scope, owner = assigned[0]
            return distribution_of(owner, value, value_scope, depth + 1)
        return None
    if not isinstance(expr, cst.Call):
        return None
    qualname = model.callee_qualname(expr, scope) or ""
    if not qualname.startswith(_PREFIX):
        return None
    name = qualname.rsplit(".", 1)[-1]
    if name in _ELEMENTWISE:
        batch: Optional[TensorShape] = known(())
        for arg in expr.args:
            if arg.star or (arg.keyword is not None and arg.keyword.value in _NOT_PARAMETERS):
                continue
            shape = batch_shapes.tensor_shape(model, arg.value, scope, depth + 1)
            if shape is None and not batch_shapes.is_number(model, arg.value, scope):
                shape = ANY
            batch = broadcast(batch, shape) if shape is not None else batch
        return DistributionShape(batch) if batch is not None else None
    if name in _CATEGORICAL:
        parameter = model.argument(expr, 0, "probs") or model.argument(expr, None, "logits")
        shape = batch_shapes.tensor_shape(model, parameter, scope, depth + 1)
        if shape is None or not shape.dims:
            return None
        event = (shape.dims[-1],) if name != "Categorical" else ()
        return DistributionShape(TensorShape(shape.dims[:-1], shape.exact), event)
    if name in _LAST_AXIS_EVENT:
        shape = batch_shapes.tensor_shape(model, model.argument(expr, 0, _LAST_AXIS_EVENT[name]), scope, depth + 1)
        if shape is None or not shape.dims:
            return None
        return DistributionShape(TensorShape(shape.dims[:-1], shape.exact), (shape.dims[-1],))
    if name == "Independent":
        base = distribution_of(model, model.argument(expr, 0, "base_distribution"), scope, depth + 1)
        moved = model.number(model.argument(expr, 1, "reinterpreted_batch_ndims"), scope)
        if base is None or moved is None or moved != int(moved) or not 0 <= moved <= len(base.batch.dims):
            return None
        cut = len(base.batch.dims) - int(moved)
        return DistributionShape(
            TensorShape(base.batch.dims[:cut], base.batch.exact), base.batch.dims[cut:] + base.event
        )
    return None


def method_shape(
    model: SemanticModel, dist: DistributionShape, call: cst.Call, scope: Scope, depth: int
) -> Optional[TensorShape]:
    """What ``log_prob``/``cdf``/``sample``/``rsample``/``entropy`` of a distribution give."""
    func = call.func
    assert isinstance(func, cst.Attribute)
    method = func.attr.value
    if method in ("log_prob", "cdf", "icdf"):
        value = batch_shapes.tensor_shape(model, model.argument(call, 0, "value"), scope, depth + 1)
        if value is not None and dist.event:
            if len(value.dims) < len(dist.event):
                return None
            value = TensorShape(value.dims[: len(value.dims) - len(dist.event)], value.exact)
        return broadcast(dist.batch, value or ANY)
    if method in ("sample", "rsample") and not call.args:
        return dist.sample()
    if method == "entropy" and not call.args:
        return informative(dist.batch)
    return None
