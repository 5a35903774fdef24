"""Models from library factories that return a tuple (``open_clip.create_model_and_transforms``), and the
items a function returns through another call or a table of loader functions
(``load = LOADERS[kind]; return load(name)``)."""

from __future__ import annotations

from typing import List, Tuple

from tests.conftest import lint_text

FACTORY = """import open_clip
import torch

model, _, preprocess = open_clip.create_model_and_transforms("RN50")
with torch.no_grad():
    for images, labels in loader:
        correct = (model.encode_image(images).argmax(1) == labels).sum()
"""

DISPATCH = """import open_clip
import torch


def load_open_clip(name):
    model, _, preprocess = open_clip.create_model_and_transforms(name)
    return model.to("cpu"), preprocess


LOADERS = {"open_clip": load_open_clip}


def load(kind, name):
    loader_function = LOADERS[kind]
    return loader_function(name)


def evaluate(kind):
    model, preprocess = load(kind, "RN50")
    with torch.no_grad():
        for images, labels in loader:
            correct = (model.encode_image(images).argmax(1) == labels).sum()
"""


def nn501(source: str) -> List[Tuple[int, int]]:
    return [(f.line, f.column) for f in lint_text(source, select=["NN501"])]


def test_the_model_item_of_a_library_factory_tuple_starts_in_training_mode() -> None:
    assert nn501(FACTORY) == [(7, 20)]
    assert nn501(FACTORY.replace("with torch.no_grad():", "model.eval()\nwith torch.no_grad():")) == []
    transforms = FACTORY.replace("model, _, preprocess", "preprocess, _, model")  # the transform is no model
    assert nn501(transforms) == []


def test_items_returned_through_a_table_of_loader_functions() -> None:
    assert nn501(DISPATCH) == [(22, 24)]
    assert nn501(DISPATCH.replace("    with torch.no_grad():", "    model.eval()\n    with torch.no_grad():")) == []
    not_a_table = DISPATCH.replace('LOADERS = {"open_clip": load_open_clip}', "LOADERS = registry()")
    assert nn501(not_a_table) == []
