"""Every way of writing the same thing: containers grown after construction, ``forward`` called by name,
softmax written as ``exp(log_softmax)``, shape-only legacy ops. Each case pins where the finding lands."""

from __future__ import annotations


from tests.analysis.test_model import build, call_named
from tests.conftest import lint_text


def where(findings, code):
    return [(f.line, f.column) for f in findings if f.code == code]


def test_add_module_extends_a_sequential_tail() -> None:
    model = build(
        """
        import torch
        net = torch.nn.Sequential()
        net.add_module("fc", torch.nn.Linear(4, 3))
        net.add_module("softmax", torch.nn.Softmax(dim=1))
        out = net(x)
        """
    )
    call = call_named(model, "net(x)")
    assert model.tail_of(call.node, call.scope).kind == "softmax"


def test_add_module_on_a_self_attribute_and_forward_by_name() -> None:
    findings = lint_text(
        """
        import torch

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Sequential()
                self.fc.add_module("fc1", torch.nn.Linear(4, 3))
                self.fc.add_module("softmax", torch.nn.Softmax(dim=1))

            def forward(self, x):
                return self.fc.forward(x)

        def train(model, loss, optimizer, x, y):
            optimizer.zero_grad()
            output = loss.forward(model.forward(x), y)
            output.backward()
            optimizer.step()

        net = Net()
        train(net, torch.nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.1), x, y)
        """,
        select=["NN201"],
    )
    assert where(findings, "NN201") == [(16, 14)]
    assert "softmax (line 9)" in findings[0].message


def test_add_module_without_softmax_is_silent() -> None:
    findings = lint_text(
        """
        import torch
        net = torch.nn.Sequential()
        net.add_module("fc", torch.nn.Linear(4, 3))
        loss_fn = torch.nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn.forward(net.forward(x), y).backward()
            optimizer.step()
        """,
        select=["NN201"],
    )
    assert findings == []


def test_sequential_of_a_list_built_with_append() -> None:
    model = build(
        """
        import torch.nn as nn
        layers = [nn.Linear(8, 8), nn.ReLU()]
        for _ in range(3):
            layers.append(nn.Linear(8, 8))
        layers += [nn.Linear(8, 2)]
        layers.append(nn.LogSoftmax(dim=1))
        net = nn.Sequential(*layers)
        out = net(x)
        """
    )
    call = call_named(model, "net(x)")
    assert model.tail_of(call.node, call.scope).kind == "log_softmax"


def test_module_list_grown_with_append_holds_its_dropout() -> None:
    model = build(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList()
                for _ in range(2):
                    self.blocks.append(nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.1)))

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return x

        net = Net()
        """
    )
    obj = model.object_of(model.calls[-1].node, model.module_scope)
    assert model.has_mode_dependent_layers(obj) is True


def test_exp_of_log_softmax_is_a_softmax() -> None:
    findings = lint_text(
        """
        import torch
        import torch.nn as nn

        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 3)
                self.log_softmax = nn.LogSoftmax(dim=1)
                self.loss = nn.CrossEntropyLoss()

            def forward(self, x, y):
                probabilities = torch.exp(self.log_softmax(self.fc(x)))
                return self.loss(probabilities, y)
        """,
        select=["NN201"],
    )
    assert where(findings, "NN201") == [(14, 16)]


def test_exp_of_a_linear_output_is_not_a_softmax() -> None:
    model = build(
        """
        import torch
        import torch.nn as nn
        fc = nn.Linear(4, 3)
        out = torch.exp(fc(x))
        """
    )
    call = call_named(model, "torch.exp(")
    assert model.tail_of(call.node, call.scope).kind == "exp"


def test_resize_and_data_keep_the_tail() -> None:
    model = build(
        """
        import torch.nn.functional as F
        y = F.softmax(z, dim=1)
        y = y.resize(1, 5)
        w = y.data
        """
    )
    w = model.module.body[-1].body[0].value
    assert model.tail_of(w, model.module_scope).kind == "softmax"


def test_predict_with_forward_by_name_and_dropout_added_later_is_missing_eval() -> None:
    findings = lint_text(
        """
        import torch

        def build_model():
            model = torch.nn.Sequential()
            model.add_module("fc1", torch.nn.Linear(8, 8))
            model.add_module("dropout", torch.nn.Dropout(0.2))
            model.add_module("fc2", torch.nn.Linear(8, 2))
            return model

        def train(model, loss, optimizer, x, y):
            optimizer.zero_grad()
            loss.forward(model.forward(x), y).backward()
            optimizer.step()

        def predict(model, x):
            return model.forward(x).argmax(1)

        model = build_model()
        loss = torch.nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(3):
            train(model, loss, optimizer, x, y)
            print(predict(model, x_test))
        """,
        select=["NN501"],
    )
    assert where(findings, "NN501") == [(17, 12)]


def test_predict_after_eval_is_silent() -> None:
    findings = lint_text(
        """
        import torch

        model = torch.nn.Sequential()
        model.add_module("fc1", torch.nn.Linear(8, 8))
        model.add_module("dropout", torch.nn.Dropout(0.2))

        def predict(model, x):
            model.eval()
            return model.forward(x).argmax(1)

        print(predict(model, x_test))
        """,
        select=["NN501"],
    )
    assert findings == []
