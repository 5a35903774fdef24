# expect: NN401@36
"""A bag-of-characters next-character model (embedding + MLP) that clips through an aliased import with
max_norm=5.0 on every step."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import clip_grad_norm_ as clip_gradients


class CharMLP(nn.Module):
    def __init__(self, vocab: int = 40, hidden: int = 48) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU())
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.mlp(self.embed(x)))


def main() -> None:
    torch.manual_seed(0)
    corpus = torch.randint(0, 40, (2000,))
    seq_len, batch_size = 20, 16
    model = CharMLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for step in range(8):
        starts = torch.randint(0, len(corpus) - seq_len - 1, (batch_size,))
        inputs = torch.stack([corpus[s : s + seq_len] for s in starts])
        targets = torch.stack([corpus[s + 1 : s + seq_len + 1] for s in starts])
        optimizer.zero_grad()
        logits = model(inputs)
        loss = F.cross_entropy(logits.transpose(1, 2), targets)
        loss.backward()
        clip_gradients(model.parameters(), max_norm=5.0)
        optimizer.step()
        if step % 4 == 0:
            print(f"step {step}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
