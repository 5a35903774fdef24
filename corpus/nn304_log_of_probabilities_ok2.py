# expect: none
"""Entropy bonus with a clamped log, an epsilon-guarded log of sigmoid outputs, and logs of
strictly positive quantities (exp, squares plus one)."""
import torch
import torch.nn as nn

EPS = 1e-8

torch.manual_seed(0)
policy = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 4))
gate = nn.Linear(8, 1)
log_std = nn.Parameter(0.1 * torch.randn(4))
optimizer = torch.optim.Adam(list(policy.parameters()) + list(gate.parameters()) + [log_std], lr=3e-4)

for update in range(20):
    states = torch.randn(64, 8)
    returns = torch.randn(64)
    optimizer.zero_grad()
    probs = torch.softmax(policy(states), dim=-1)
    actions = torch.multinomial(probs, 1).squeeze(1)
    log_probs = torch.log(probs.clamp(min=EPS))
    chosen = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)
    entropy = -(probs * log_probs).sum(dim=1).mean()
    keep = torch.sigmoid(gate(states)).squeeze(1)
    gate_penalty = -torch.log(keep + EPS).mean()
    std_penalty = torch.log(torch.exp(log_std) ** 2).mean() + torch.log(returns ** 2 + 1).mean()
    loss = -(chosen * returns).mean() - 0.01 * entropy + 1e-3 * gate_penalty + 1e-3 * std_penalty
    loss.backward()
    optimizer.step()
    if update % 5 == 0:
        print(f"update {update} loss {loss.item():.4f}")
