# expect: none
"""A registry of modules built by name from config dicts (the pattern of mmcv and its offspring): a class
registers itself under its name, and the builders look the config's "type" up."""
from typing import Callable, Dict, Optional

from torch import nn


class Registry:
    def __init__(self, name: str) -> None:
        self.name = name
        self._classes: Dict[str, type] = {}

    def register_module(self, name: Optional[str] = None) -> Callable[[type], type]:
        def add(cls: type) -> type:
            self._classes[name or cls.__name__] = cls
            return cls

        return add

    def get(self, key: str) -> type:
        return self._classes[key]


HEADS = Registry("heads")
NETS = Registry("nets")


def build_from_cfg(cfg: dict, registry: Registry) -> nn.Module:
    args = dict(cfg)
    obj_type = args.pop("type")
    obj_cls = registry.get(obj_type)
    return obj_cls(**args)


def build_head(cfg: dict) -> nn.Module:
    return build_from_cfg(cfg, HEADS)
