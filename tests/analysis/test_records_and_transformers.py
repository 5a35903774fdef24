"""Models handed around in record classes (a ``@dataclass`` or ``NamedTuple`` built with the model), and
Hugging Face model classes, as NN501 sees them: ``context.model`` is the model its construction call
was given, and ``from_pretrained`` builds a model whose mode the code's own ``train()``/``eval()`` decide."""

from __future__ import annotations

from tests.conftest import lint_text

RECORD = """import torch
from dataclasses import dataclass
from torch import nn
from torch.utils.data import DataLoader


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.2), nn.Linear(8, 2))

    def forward(self, x):
        return self.body(x)


@dataclass
class Context:
    model: Net
    train_loader: DataLoader
    val_loader: DataLoader


def validate(context):
    correct = 0
    with torch.no_grad():
        for x, y in context.val_loader:
            correct += (context.model(x).argmax(1) == y).sum().item()
    return correct


def train(context, epochs=2):
    model = context.model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        model.train()
        for x, y in context.train_loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        print(validate(context))


def main(train_set, val_set):
    context = Context(Net(), DataLoader(train_set, shuffle=True), DataLoader(val_set))
    train(context)
"""


def nn501(source: str) -> list:
    return [(f.line, f.column) for f in lint_text(source, select=["NN501"])]


def test_the_model_field_of_a_dataclass_is_the_model_its_construction_was_given() -> None:
    assert nn501(RECORD) == [(27, 25)]
    keyword = RECORD.replace(
        "Context(Net(), DataLoader(train_set", "Context(model=Net(), train_loader=DataLoader(train_set"
    )
    assert nn501(keyword.replace("DataLoader(val_set))", "val_loader=DataLoader(val_set))")) == [(27, 25)]


def test_a_named_tuple_binds_its_fields_the_same_way() -> None:
    named = RECORD.replace("@dataclass\nclass Context:", "class Context(NamedTuple):").replace(
        "from dataclasses import dataclass", "from typing import NamedTuple"
    )
    assert nn501(named) == [(26, 25)]  # one line fewer: no decorator


def test_silent_when_the_evaluation_sets_eval_or_the_record_has_its_own_init() -> None:
    evaluated = RECORD.replace("    correct = 0\n", "    correct = 0\n    context.model.eval()\n")
    assert nn501(evaluated) == []
    own_init = RECORD.replace(
        "    val_loader: DataLoader\n",
        "    val_loader: DataLoader\n\n    def __init__(self, *parts):\n        self.model = None\n",
    )
    assert nn501(own_init) == []


TRANSFORMERS = """import torch
from transformers import AutoModelForSequenceClassification

model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
for epoch in range(3):
    model.train()
    for batch in train_loader:
        optimizer.zero_grad()
        model(**batch).loss.backward()
        optimizer.step()
    with torch.no_grad():
        for batch in val_loader:
            print(model(**batch).loss.item())
"""


def test_a_hugging_face_model_toggled_by_the_code_is_evaluated_in_training_mode() -> None:
    assert nn501(TRANSFORMERS) == [(14, 19)]
    built_elsewhere = RECORD.replace("Context(Net(),", "Context(load(),") + (
        "\n\ndef load():\n"
        "    from transformers import VisionEncoderDecoderModel\n\n"
        '    model = VisionEncoderDecoderModel.from_pretrained("microsoft/trocr-base-handwritten")\n'
        "    return model\n"
    )
    assert nn501(built_elsewhere) == [(27, 25)]  # one model object, from `load` to `context.model`


def test_a_hugging_face_model_is_left_alone_where_its_mode_is_unknown() -> None:
    no_toggle = TRANSFORMERS.replace("    model.train()\n", "")
    assert nn501(no_toggle) == []
    evaluated_first = (
        "import torch\nfrom transformers import AutoModel\n\n"
        'model = AutoModel.from_pretrained("bert-base-uncased")\n'
        "with torch.no_grad():\n    for batch in loader:\n        features = model(**batch).last_hidden_state\n"
        "model.train()\n"
    )
    assert nn501(evaluated_first) == []
