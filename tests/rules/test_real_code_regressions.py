"""False alarms found by running nnlint on public training code, reduced to self-written snippets.

Each test reproduces the *shape* that misled a rule (never the third-party code itself) and asserts
that the rule stays silent; where the shape sits next to a real bug, the true positive is asserted too.
"""

from __future__ import annotations

from tests.conftest import codes, lint_text


def test_detached_target_network_forward_is_not_a_training_step() -> None:
    # DQN: a frozen target network in eval mode feeds the loss only through .detach();
    # the optimizer holds the policy network, so target_net.eval() is never "undone" by mistake.
    source = """
    import torch
    import torch.nn as nn

    class QNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 32), nn.BatchNorm1d(32), nn.ReLU())
            self.head = nn.Linear(32, 2)
        def forward(self, x):
            return self.head(self.body(x))

    policy_net = QNet()
    target_net = QNet()
    target_net.load_state_dict(policy_net.state_dict())
    target_net.eval()
    optimizer = torch.optim.RMSprop(policy_net.parameters())

    def optimize(states, actions, next_states, rewards):
        q = policy_net(states).gather(1, actions)
        next_q = target_net(next_states).max(1)[0].detach()
        loss = nn.functional.smooth_l1_loss(q, (next_q * 0.99 + rewards).unsqueeze(1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for episode in range(10):
        for states, actions, next_states, rewards in replay:
            optimize(states, actions, next_states, rewards)
    """
    assert codes(lint_text(source, select=["NN502"])) == []


def test_eval_then_training_forward_still_flagged_when_output_is_kept() -> None:
    # The true positive next to the shape above: the evaluated model is the trained one.
    source = """
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(4, 32), nn.Dropout(0.5), nn.Linear(32, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(3):
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            print(model(x_val).argmax(1).eq(y_val).float().mean().item())
    """
    assert codes(lint_text(source, select=["NN502"])) == ["NN502"]


def test_layer_replaced_in_init_with_optimizer_built_elsewhere_does_not_crash_nn407() -> None:
    # A backbone's first conv is swapped inside the model's __init__, while the optimizer is built
    # in main(): no optimizer exists in that scope before the replacement (NN407 used to crash, NN002).
    source = """
    import torch
    import torch.nn as nn
    import torchvision

    class Siamese(nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = torchvision.models.resnet18()
            self.backbone.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
            self.head = nn.Linear(512, 1)
        def forward(self, x):
            return self.head(self.backbone(x))

    def main():
        model = Siamese()
        optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(), y).backward()
            optimizer.step()
    """
    assert codes(lint_text(source, select=["NN002", "NN407"])) == []


def test_layer_replaced_after_optimizer_is_still_flagged() -> None:
    source = """
    import torch
    import torch.nn as nn
    import torchvision

    model = torchvision.models.resnet18(pretrained=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    model.fc = nn.Linear(512, 10)
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    """
    assert codes(lint_text(source, select=["NN002", "NN407"])) == ["NN407"]


def test_optimizer_from_timm_factory_is_not_taken_for_a_model() -> None:
    # timm.optim/timm.scheduler factories used to be classified as models (anything under "timm."),
    # so optimizer.step() was not seen as a step and NN403 reported the backward() as never applied.
    source = """
    import torch.nn as nn
    from timm.models import create_model
    from timm.optim import create_optimizer_v2
    from timm.scheduler import create_scheduler

    def train_one_epoch(model, loader, optimizer, loss_fn):
        model.train()
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    def main():
        model = create_model("resnet50", num_classes=10)
        optimizer = create_optimizer_v2(model, opt="sgd", lr=0.1)
        lr_scheduler, num_epochs = create_scheduler(args, optimizer)
        for epoch in range(num_epochs):
            train_one_epoch(model, loader, optimizer, nn.CrossEntropyLoss())
            lr_scheduler.step(epoch + 1)
    """
    assert codes(lint_text(source, select=["NN403"])) == []


def test_timm_model_factory_still_builds_a_model() -> None:
    # The true positive next to it: a timm model evaluated without model.eval().
    source = """
    import timm
    import torch

    model = timm.create_model("resnet50", pretrained=False, num_classes=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(3):
        for x, y in loader:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            print(model(x_val).argmax(1).eq(y_val).float().mean().item())
    """
    assert codes(lint_text(source, select=["NN403", "NN501"])) == ["NN501"]


def test_train_val_phase_loop_switches_mode_per_branch() -> None:
    # The classic transfer-learning loop: one loop body for both phases; eval() on the 'val' branch,
    # backward/step only on the 'train' branch of the same test.
    source = """
    import torch
    import torch.nn as nn
    import torchvision

    def train_model(model, criterion, optimizer, dataloaders, num_epochs=25):
        for epoch in range(num_epochs):
            for phase in ["train", "val"]:
                if phase == "train":
                    model.train()
                else:
                    model.eval()
                for inputs, labels in dataloaders[phase]:
                    optimizer.zero_grad()
                    with torch.set_grad_enabled(phase == "train"):
                        outputs = model(inputs)
                        loss = criterion(outputs, labels)
                        if phase == "train":
                            loss.backward()
                            optimizer.step()
        return model

    model = torchvision.models.resnet18(pretrained=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    train_model(model, nn.CrossEntropyLoss(), optimizer, dataloaders)
    """
    assert codes(lint_text(source, select=["NN502"])) == []


def test_eval_under_an_unrelated_condition_is_still_flagged() -> None:
    source = """
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(4, 32), nn.Dropout(0.5), nn.Linear(32, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(30):
        if epoch % 5 == 0:
            model.eval()
            with torch.no_grad():
                print(model(x_val).argmax(1).eq(y_val).float().mean().item())
        for x, y in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
    """
    assert codes(lint_text(source, select=["NN502"])) == ["NN502"]
