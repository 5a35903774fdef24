# expect: none
# expect-dynamic: no-step
# A small GPT in the nanoGPT style: the transformer's parts are kept in `nn.ModuleDict(dict(...))`,
# embedding dropout among them. The validation loss is estimated every few hundred steps in
# evaluation mode, and training resumes in training mode.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyGPT(nn.Module):
    def __init__(self, vocab_size=128, block_size=64, n_embd=64, dropout=0.1):
        super().__init__()
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(vocab_size, n_embd),
                wpe=nn.Embedding(block_size, n_embd),
                drop=nn.Dropout(dropout),
                ln_f=nn.LayerNorm(n_embd),
            )
        )
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets):
        positions = torch.arange(idx.size(1), device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(positions))
        logits = self.lm_head(self.transformer.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


@torch.no_grad()
def estimate_loss(model, val_loader, iters=20):
    model.eval()
    losses = torch.zeros(iters)
    for k, (x, y) in zip(range(iters), val_loader):
        losses[k] = model(x, y).item()
    model.train()
    return losses.mean()


def train(train_loader, val_loader, max_iters=5000):
    model = TinyGPT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    for step, (x, y) in zip(range(max_iters), train_loader):
        if step % 500 == 0:
            print(step, estimate_loss(model, val_loader))
        loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
