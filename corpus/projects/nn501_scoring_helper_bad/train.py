# expect: NN501@32
"""A frame classifier with BatchNorm; after each epoch it is scored on the validation loader through the
project's decoder (another file), with no loss and no argmax written here, and never put in eval mode."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from decoding import GreedyDecoder

ALPHABET = "abcde"

if __name__ == "__main__":
    torch.manual_seed(0)
    frames = torch.randn(64, 10, 8)
    labels = torch.randint(0, len(ALPHABET), (64, 10))
    train_loader = DataLoader(TensorDataset(frames, labels), batch_size=16, shuffle=True)
    val_loader = DataLoader(TensorDataset(frames[:32], labels[:32]), batch_size=16)
    model = nn.Sequential(nn.Linear(8, 32), nn.BatchNorm1d(10), nn.ReLU(), nn.Linear(32, len(ALPHABET)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    criterion = nn.CrossEntropyLoss()
    decoder = GreedyDecoder(ALPHABET)
    for epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            out = model(x)
            loss = criterion(out.reshape(-1, len(ALPHABET)), y.reshape(-1))
            loss.backward()
            optimizer.step()
        errors = 0
        for x, y in val_loader:
            out = model(x)
            decoded = decoder.decode(out)
            references = ["".join(ALPHABET[i] for i in row.tolist()) for row in y]
            errors += sum(decoder.char_errors(d, r) for d, r in zip(decoded, references))
        print(epoch, errors / len(val_loader.dataset))
