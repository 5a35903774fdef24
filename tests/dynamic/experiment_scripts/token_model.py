"""The loss inside the model's forward (nanoGPT's `logits, loss = model(x, y)`), on token ids: the
experiments replay it from the model's output; batch independence by perturbing the other samples."""
import sys

import torch
import torch.nn.functional as F
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab=16, width=32, mix=False):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.pos = nn.Parameter(torch.zeros(8, width))
        self.head = nn.Linear(width, vocab)
        self.mix = mix

    def forward(self, idx, targets=None):
        h = self.embed(idx) + self.pos[: idx.shape[1]]
        if self.mix:  # a "mean over the sequence" taken on the wrong axis: over the batch
            h = h + h.mean(dim=0, keepdim=True)
        logits = self.head(torch.tanh(h))
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1)) if targets is not None else None
        return logits, loss


torch.manual_seed(0)
model = TinyLM(mix="--mix" in sys.argv)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-2)
for _step in range(5):
    data = torch.randint(0, 16, (12, 9))
    x, y = data[:, :-1], data[:, 1:]
    logits, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
