# expect: NN304@18
"""Policy-gradient style update with an entropy bonus: the probabilities come from softmax and
the entropy takes torch.log(probs) with no epsilon."""
import torch
import torch.nn as nn

torch.manual_seed(0)
policy = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 4))
optimizer = torch.optim.Adam(policy.parameters(), lr=3e-4)
entropy_coef = 0.01

for update in range(20):
    states = torch.randn(64, 8)
    returns = torch.randn(64)
    optimizer.zero_grad()
    probs = torch.softmax(policy(states), dim=-1)
    actions = torch.multinomial(probs, 1).squeeze(1)
    log_probs = torch.log(probs)
    chosen = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)
    entropy = -(probs * log_probs).sum(dim=1).mean()
    loss = -(chosen * returns).mean() - entropy_coef * entropy
    loss.backward()
    optimizer.step()
    if update % 5 == 0:
        print(f"update {update} loss {loss.item():.4f} entropy {entropy.item():.3f}")
