"""What nnlint knows of the PyTorch API, as data: the static pass never imports torch.

Every name here is *canonical*: the public spelling (``torch.nn.CrossEntropyLoss``), to which
:func:`canonical` maps the internal ones (``torch.nn.modules.loss.CrossEntropyLoss``).
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional

NN = "torch.nn."
F = "torch.nn.functional."

# Loss classes and functions -> the loss family they compute.
LOSS_CLASSES: Dict[str, str] = {
    NN + "CrossEntropyLoss": "cross_entropy",
    NN + "NLLLoss": "nll",
    NN + "BCELoss": "bce",
    NN + "BCEWithLogitsLoss": "bce_with_logits",
    NN + "MSELoss": "mse",
    NN + "L1Loss": "l1",
    NN + "SmoothL1Loss": "smooth_l1",
    NN + "HuberLoss": "huber",
    NN + "KLDivLoss": "kl_div",
    NN + "MultiLabelSoftMarginLoss": "multilabel_soft_margin",
    NN + "MultiMarginLoss": "multi_margin",
    NN + "PoissonNLLLoss": "poisson_nll",
    NN + "GaussianNLLLoss": "gaussian_nll",
    NN + "CosineEmbeddingLoss": "cosine_embedding",
    NN + "MarginRankingLoss": "margin_ranking",
    NN + "HingeEmbeddingLoss": "hinge_embedding",
    NN + "TripletMarginLoss": "triplet_margin",
    NN + "CTCLoss": "ctc",
    NN + "SoftMarginLoss": "soft_margin",
}
LOSS_FUNCTIONS: Dict[str, str] = {
    F + "cross_entropy": "cross_entropy",
    F + "nll_loss": "nll",
    F + "binary_cross_entropy": "bce",
    F + "binary_cross_entropy_with_logits": "bce_with_logits",
    F + "mse_loss": "mse",
    F + "l1_loss": "l1",
    F + "smooth_l1_loss": "smooth_l1",
    F + "huber_loss": "huber",
    F + "kl_div": "kl_div",
    F + "poisson_nll_loss": "poisson_nll",
    F + "gaussian_nll_loss": "gaussian_nll",
    F + "multilabel_soft_margin_loss": "multilabel_soft_margin",
    F + "soft_margin_loss": "soft_margin",
    F + "ctc_loss": "ctc",
}
REGRESSION_LOSSES: FrozenSet[str] = frozenset({"mse", "l1", "smooth_l1", "huber"})
POINTWISE_LOSSES: FrozenSet[str] = frozenset(
    {"mse", "l1", "smooth_l1", "huber", "bce", "bce_with_logits", "soft_margin"}
)

# Activations: module classes, functions and tensor methods -> activation kind.
ACTIVATION_CLASSES: Dict[str, str] = {
    NN + "Softmax": "softmax",
    NN + "Softmax2d": "softmax",
    NN + "LogSoftmax": "log_softmax",
    NN + "Sigmoid": "sigmoid",
    NN + "Hardsigmoid": "sigmoid",
    NN + "Tanh": "tanh",
    NN + "Hardtanh": "hardtanh",
    NN + "ReLU": "relu",
    NN + "ReLU6": "relu",
    NN + "Softplus": "softplus",
    NN + "ELU": "elu",
    NN + "CELU": "elu",
    NN + "SELU": "elu",
    NN + "GELU": "gelu",
    NN + "SiLU": "silu",
    NN + "Mish": "silu",
    NN + "LeakyReLU": "leaky_relu",
    NN + "PReLU": "leaky_relu",
    NN + "Softsign": "tanh",
    NN + "Tanhshrink": "linear",
    NN + "Identity": "identity",
    NN + "Dropout": "identity",
    NN + "Flatten": "identity",
}
ACTIVATION_FUNCTIONS: Dict[str, str] = {
    F + "softmax": "softmax",
    "torch.softmax": "softmax",
    "torch.special.softmax": "softmax",
    F + "log_softmax": "log_softmax",
    "torch.log_softmax": "log_softmax",
    "torch.special.log_softmax": "log_softmax",
    F + "sigmoid": "sigmoid",
    "torch.sigmoid": "sigmoid",
    "torch.special.expit": "sigmoid",
    F + "hardsigmoid": "sigmoid",
    F + "tanh": "tanh",
    "torch.tanh": "tanh",
    F + "hardtanh": "hardtanh",
    F + "relu": "relu",
    "torch.relu": "relu",
    F + "relu6": "relu",
    F + "softplus": "softplus",
    F + "elu": "elu",
    F + "selu": "elu",
    F + "celu": "elu",
    F + "gelu": "gelu",
    F + "silu": "silu",
    F + "mish": "silu",
    F + "leaky_relu": "leaky_relu",
    "torch.exp": "exp",
}
ACTIVATION_METHODS: Dict[str, str] = {
    "softmax": "softmax",
    "log_softmax": "log_softmax",
    "sigmoid": "sigmoid",
    "sigmoid_": "sigmoid",
    "tanh": "tanh",
    "tanh_": "tanh",
    "relu": "relu",
    "relu_": "relu",
    "exp": "exp",
}
# Ops that change a tensor's shape, dtype or device but not what its values mean.
PASS_THROUGH_METHODS: FrozenSet[str] = frozenset(
    {
        "view",
        "reshape",
        "squeeze",
        "unsqueeze",
        "flatten",
        "contiguous",
        "to",
        "float",
        "double",
        "half",
        "bfloat16",
        "cuda",
        "cpu",
        "type",
        "clone",
        "view_as",
        "reshape_as",
        "squeeze_",
        "unsqueeze_",
        "type_as",
        "resize",
        "resize_",
        "resize_as",
        "resize_as_",
        "permute",
        "transpose",
        "movedim",
    }
)
PASS_THROUGH_FUNCTIONS: FrozenSet[str] = frozenset(
    {
        "torch.flatten",
        "torch.squeeze",
        "torch.unsqueeze",
        "torch.reshape",
        "torch.clone",
        "torch.permute",
        "torch.transpose",
        "torch.movedim",
        "torch.autograd.Variable",
    }
)
# Output ranges of activations (for regression outputs).
BOUNDED_BELOW = frozenset({"relu", "softplus", "elu", "sigmoid", "softmax", "exp"})
BOUNDED_BOTH = frozenset({"sigmoid", "tanh", "hardtanh", "softmax"})

DROPOUT_CLASSES: FrozenSet[str] = frozenset(
    NN + n for n in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")
)
BATCHNORM_CLASSES: FrozenSet[str] = frozenset(
    NN + n
    for n in (
        "BatchNorm1d",
        "BatchNorm2d",
        "BatchNorm3d",
        "SyncBatchNorm",
        "LazyBatchNorm1d",
        "LazyBatchNorm2d",
        "LazyBatchNorm3d",
    )
)
MODE_DEPENDENT_CLASSES = (
    DROPOUT_CLASSES
    | BATCHNORM_CLASSES
    | {
        NN + "RNN",
        NN + "LSTM",
        NN + "GRU",
        NN + "Transformer",
        NN + "TransformerEncoderLayer",
        NN + "TransformerDecoderLayer",
        NN + "TransformerEncoder",
        NN + "MultiheadAttention",
    }
)

CONTAINER_CLASSES: FrozenSet[str] = frozenset({NN + "Sequential", NN + "ModuleList", NN + "ModuleDict"})
MODULE_BASES: FrozenSet[str] = frozenset(
    {
        NN + "Module",
        "pytorch_lightning.LightningModule",
        "lightning.LightningModule",
        "lightning.pytorch.LightningModule",
    }
)
MODEL_WRAPPERS: FrozenSet[str] = frozenset(
    {
        NN + "DataParallel",
        NN + "parallel.DistributedDataParallel",
        NN + "parallel.DataParallel",
        "torch.compile",
        "torch.jit.script",
    }
)

OPTIMIZERS: FrozenSet[str] = frozenset(
    "torch.optim." + n
    for n in (
        "SGD",
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Adamax",
        "NAdam",
        "RAdam",
        "LBFGS",
        "SparseAdam",
        "ASGD",
        "Rprop",
        "Adafactor",
    )
)
# the base class of torch's optimizers, which a project's own optimizer derives from (`class Lamb(Optimizer)`)
OPTIMIZER_BASES: FrozenSet[str] = frozenset({"torch.optim.Optimizer", "torch.optim.optimizer.Optimizer"})
SCHEDULER_PREFIX = "torch.optim.lr_scheduler."
DATALOADERS: FrozenSet[str] = frozenset({"torch.utils.data.DataLoader"})
SAMPLERS: FrozenSet[str] = frozenset(
    "torch.utils.data." + n
    for n in (
        "RandomSampler",
        "SequentialSampler",
        "SubsetRandomSampler",
        "WeightedRandomSampler",
        "BatchSampler",
    )
) | {"torch.utils.data.distributed.DistributedSampler", "torch.utils.data.DistributedSampler"}
NO_GRAD_CONTEXTS: FrozenSet[str] = frozenset(
    {
        "torch.no_grad",
        "torch.inference_mode",
        "torch.autograd.no_grad",
        "torch.autograd.grad_mode.no_grad",
        "torch.autograd.grad_mode.inference_mode",
    }
)

# Architectures known to contain Dropout or BatchNorm (train/eval mode matters).
_MODE_DEPENDENT_ARCH = re.compile(
    r"^(torchvision\.models\.(?:[a-z_]+\.)?|timm\.)"
    r"(resnet|resnext|wide_resnet|vgg|alexnet|densenet|inception|googlenet|mobilenet|efficientnet|regnet|"
    r"shufflenet|mnasnet|squeezenet|convnext|vit_|swin|maxvit|create_model|<by name>)"
)
# ``models.__dict__[arch]()``: a torchvision classification architecture chosen by name; each has
# BatchNorm or Dropout (or stochastic depth), so its mode matters whichever it is
TORCHVISION_BY_NAME = "torchvision.models.<by name>"

_CANONICAL_PREFIXES = (
    (re.compile(r"^torch\.nn\.modules\.(?:[a-z_]+\.)*([A-Z]\w*)$"), NN + r"\1"),
    (re.compile(r"^torch\.optim\.(?!lr_scheduler)[a-z_]+\.([A-Z]\w*)$"), r"torch.optim.\1"),
    (re.compile(r"^torch\.utils\.data\.dataloader\.DataLoader$"), "torch.utils.data.DataLoader"),
    (re.compile(r"^torch\.utils\.data\.sampler\.(\w+)$"), r"torch.utils.data.\1"),
    (re.compile(r"^torch\.nn\.utils\.clip_grad\.(\w+)$"), r"torch.nn.utils.\1"),
    (
        re.compile(r"^torch\.nn\.parallel\.distributed\.DistributedDataParallel$"),
        NN + "parallel.DistributedDataParallel",
    ),
    (re.compile(r"^torchvision\.models\.[a-z_]+\.([a-z]\w*)$"), r"torchvision.models.\1"),
    (re.compile(r"^torch\.functional\.(\w+)$"), r"torch.\1"),
    (re.compile(r"^torch\.autograd\.grad_mode\.(\w+)$"), r"torch.\1"),
    (re.compile(r"^lightning\.pytorch\.(\w+)$"), r"pytorch_lightning.\1"),
    (re.compile(r"^lightning\.(LightningModule|Trainer)$"), r"pytorch_lightning.\1"),
)


def canonical(qualname: Optional[str]) -> Optional[str]:
    """Map an internal or alternative spelling of a torch API name to its public one."""
    if qualname is None:
        return None
    for pattern, replacement in _CANONICAL_PREFIXES:
        if pattern.match(qualname):
            return pattern.sub(replacement, qualname)
    return qualname


# Library factories of whole networks, in training mode as built (no `eval()` inside): open_clip's ResNet
# towers have BatchNorm, its transformers dropout and patch dropout; the item of the tuple that is the model
MODEL_FACTORIES: Dict[str, Optional[int]] = {
    "open_clip.create_model": None,
    "open_clip.create_model_and_transforms": 0,  # (model, preprocess_train, preprocess_val)
    "open_clip.create_model_from_pretrained": 0,  # (model, preprocess)
    "open_clip.factory.create_model": None,
    "open_clip.factory.create_model_and_transforms": 0,
    "open_clip.factory.create_model_from_pretrained": 0,
}


def is_mode_dependent_architecture(qualname: str) -> bool:
    return bool(_MODE_DEPENDENT_ARCH.match(qualname)) or qualname in MODEL_FACTORIES


# Hugging Face model classes (``BertForSequenceClassification``, ``AutoModelForCausalLM``, ``GPT2LMHeadModel``,
# ``VisionEncoderDecoderModel``), built directly or by ``from_pretrained``/``from_config``; not their configs,
# tokenizers or processors
_TRANSFORMERS_MODEL = re.compile(r"^transformers\.(?:[a-z_]+\.)*([A-Z]\w*(?:Model|For[A-Z]\w*)\w*)(?:\.(\w+))?$")
_TRANSFORMERS_BUILDERS = frozenset({"from_pretrained", "from_config", "_from_config"})


def transformers_model_class(qualname: str) -> Optional[str]:
    """``transformers.BertModel`` for ``transformers.BertModel.from_pretrained`` (or the class itself)."""
    match = _TRANSFORMERS_MODEL.match(qualname)
    if match is None or "Config" in match.group(1) or "Output" in match.group(1):
        return None
    if match.group(2) is not None and match.group(2) not in _TRANSFORMERS_BUILDERS:
        return None
    return qualname.rsplit(".", 1)[0] if match.group(2) is not None else qualname


def loads_in_eval_mode(qualname: str) -> bool:
    """``from_pretrained`` returns its model in evaluation mode (Hugging Face calls ``model.eval()``)."""
    return qualname.endswith(".from_pretrained")


def is_scheduler(qualname: str) -> bool:
    return qualname.startswith(SCHEDULER_PREFIX)
