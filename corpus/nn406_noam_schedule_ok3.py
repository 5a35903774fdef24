# expect: none
"""The Transformer "Noam" recipe: Adam is built with lr=1.0 and a LambdaLR supplies the actual rate
(d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)), so the literal 1.0 is only a base."""
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import LambdaLR
from torch.utils.data import DataLoader, TensorDataset

D_MODEL, WARMUP, VOCAB, CLASSES = 32, 20, 100, 4


class TinyTransformer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL)
        layer = nn.TransformerEncoderLayer(D_MODEL, nhead=4, dim_feedforward=64, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(D_MODEL, CLASSES)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)).mean(dim=1))


def noam(step: int) -> float:
    step = step + 1
    return D_MODEL ** -0.5 * min(step ** -0.5, step * WARMUP ** -1.5)


def main():
    torch.manual_seed(0)
    tokens = torch.randint(0, VOCAB, (128, 12))
    labels = torch.randint(0, CLASSES, (128,))
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=16, shuffle=True)
    model = TinyTransformer()
    optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    scheduler = LambdaLR(optimizer, lr_lambda=noam)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for epoch in range(2):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
        print(epoch, loss.item(), scheduler.get_last_lr()[0])


if __name__ == "__main__":
    main()
