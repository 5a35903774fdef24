"""NN204: constant weight inits through apply hooks, loops, attributes; norm layers, biases and heads stay silent."""

from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import torch
import torch.nn as nn
from torch.nn import init
"""


def nn204(body: str):
    return codes(lint_text(HEADER + body, select=["NN204"]))


def test_apply_hook_with_tuple_guard_and_fill() -> None:
    body = """
def init_weights(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        m.weight.data.fill_(0.5)
        m.bias.data.zero_()

model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8, 2))
model.apply(init_weights)
"""
    assert nn204(body) == ["NN204"]


def test_hidden_layer_zeroed_and_rnn_weight() -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 16)
        self.rnn = nn.GRU(16, 16)
        self.out = nn.Linear(16, 2)
        init.zeros_(self.hidden.weight)
        with torch.no_grad():
            self.rnn.weight_ih_l0.fill_(0.1)
    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))
"""
    assert nn204(body) == ["NN204", "NN204"]


def test_norm_layers_biases_residual_gamma_and_zero_head_are_silent() -> None:
    body = """
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
    def forward(self, x):
        return x + self.bn(self.conv(x))

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(Block(), Block())
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 10)
        self.pos_embed = nn.Parameter(torch.zeros(1, 16, 8))
        self.scale = nn.Parameter(torch.ones(8))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            if isinstance(m, Block):
                nn.init.zeros_(m.bn.weight)
        nn.init.zeros_(self.head.weight)
        self.norm.weight.data.fill_(1.0)

    def forward(self, x):
        return self.head(self.norm(self.blocks(x).mean((2, 3))))
"""
    assert nn204(body) == []


def test_parameter_weight_matrix() -> None:
    body = """
class Bilinear(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.W = nn.Parameter(torch.full((n, n), 0.01))
        self.proj_weight = nn.Parameter(torch.zeros(n, n))
        self.reset_parameters()
    def reset_parameters(self):
        nn.init.xavier_uniform_(self.proj_weight)
    def forward(self, x):
        return x @ self.W @ self.proj_weight
"""
    assert nn204(body) == ["NN204"]


def test_unknown_holders_are_silent() -> None:
    body = """
def init_all(model):
    for name, p in model.named_parameters():
        if "weight" in name:
            nn.init.zeros_(p)
    for m in model.modules():
        nn.init.constant_(m.weight, 0.1)
"""
    assert nn204(body) == []


def test_zeroed_hidden_layers_in_sequential_and_two_step_forward() -> None:
    body = """
seq = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.ReLU(), nn.Linear(8, 2))
nn.init.zeros_(seq[0].weight)
first = nn.Linear(4, 8)
net = nn.Sequential(first, nn.GELU(), nn.Linear(8, 2))
nn.init.zeros_(first.weight)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)
        nn.init.zeros_(self.fc1.weight)
    def forward(self, x):
        h = self.fc1(x)
        h = torch.relu(h)
        return self.fc2(h)
"""
    assert nn204(body) == ["NN204", "NN204"]


def test_zeroed_branch_and_output_layers_are_silent() -> None:
    body = """
class LoRALinear(nn.Module):
    def __init__(self, base, r=4):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight)
        nn.init.zeros_(self.lora_B.weight)
    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x))

class FinalLayer(nn.Module):
    def __init__(self, hidden, out):
        super().__init__()
        self.norm = nn.LayerNorm(hidden)
        self.linear = nn.Linear(hidden, out)
        self.modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden))
    def forward(self, x, c):
        shift, scale = self.modulation(c).chunk(2, dim=1)
        return self.linear(self.norm(x) * (1 + scale) + shift)

class DiT(nn.Module):
    def __init__(self):
        super().__init__()
        self.final_layer = FinalLayer(8, 4)
        nn.init.constant_(self.final_layer.modulation[-1].weight, 0)
        nn.init.constant_(self.final_layer.linear.weight, 0)
"""
    assert nn204(body) == []


def test_type_guards_resolve_to_the_layers_of_the_initialised_model() -> None:
    fixup_head = """
class FixupNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0)
    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))
"""
    mlp = """
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(8, 32)
        self.act = nn.GELU()
        self.linear2 = nn.Linear(32, 8)
        self.apply(self._init_weights)
    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0)
    def forward(self, x):
        return self.linear2(self.act(self.linear1(x)))
"""
    assert nn204(fixup_head) == []
    assert nn204(mlp) == ["NN204"]
