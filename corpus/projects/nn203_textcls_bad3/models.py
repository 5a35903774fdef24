# expect: NN203@17
"""Text classifier whose embedding dropout is forced on with training=True."""
import torch
from torch import nn
from torch.nn.functional import dropout


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab_size: int, dim: int, n_classes: int, embed_dropout: float = 0.2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.proj = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, n_classes)
        self.embed_dropout = embed_dropout

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        emb = dropout(self.embedding(tokens), p=self.embed_dropout, training=True)
        pooled = emb.mean(dim=1)
        return self.out(torch.tanh(self.proj(pooled)))
